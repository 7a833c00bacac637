package dev.imagefn.storage;

import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;

/**
 * The Java SDK asks {@code Expect: 100-continue} on every PUT: one round trip to S3 before the body goes, which
 * only pays off when a refused body is large. Under {@link #THRESHOLD} the header is dropped (the rule and the
 * threshold of AWS's Go v2 and Kotlin SDKs, {@code ContinueHeaderThresholdBytes}); larger bodies, and bodies of no
 * declared length, keep it.
 */
public final class ExpectContinueThreshold implements ExecutionInterceptor {
    static final long THRESHOLD = 2L * 1024 * 1024;

    @Override
    public SdkHttpRequest modifyHttpRequest(Context.ModifyHttpRequest context, ExecutionAttributes attributes) {
        SdkHttpRequest http = context.httpRequest();
        if (!(context.request() instanceof PutObjectRequest) || http.firstMatchingHeader("Expect").isEmpty()) {
            return http;
        }
        long length = http.firstMatchingHeader("x-amz-decoded-content-length")
                .or(() -> http.firstMatchingHeader("Content-Length"))
                .map(ExpectContinueThreshold::parse).orElse(-1L);
        return length >= 0 && length < THRESHOLD ? http.toBuilder().removeHeader("Expect").build() : http;
    }

    private static long parse(String length) {
        try {
            return Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
