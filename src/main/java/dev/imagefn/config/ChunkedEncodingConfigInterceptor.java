package dev.imagefn.config;

import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.Locale;

/**
 * A plain-{@code http://} S3 endpoint turns the S3 client's {@code aws-chunked} uploads off
 * ({@code quarkus.s3.chunked-encoding=false}) unless that is set explicitly. Over plain HTTP the SDK always signs
 * the payload: chunked, that is a signature and a heap copy per 128 KB chunk; unchunked, one SHA-256 pass sent as
 * {@code x-amz-content-sha256}. HTTPS endpoints send {@code UNSIGNED-PAYLOAD} either way and keep the default.
 */
@Priority(Priorities.APPLICATION)
public class ChunkedEncodingConfigInterceptor implements ConfigSourceInterceptor {
    static final String TARGET = "quarkus.s3.chunked-encoding";
    static final String ENDPOINT = "quarkus.s3.endpoint-override";

    @Override
    public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
        ConfigValue value = context.proceed(name);
        if (!TARGET.equals(name) || UserSettings.isSet(value)) {
            return value;
        }
        ConfigValue endpoint = context.proceed(ENDPOINT);
        if (endpoint == null || endpoint.getValue() == null
                || !endpoint.getValue().strip().toLowerCase(Locale.ROOT).startsWith("http://")) {
            return value;
        }
        return ConfigValue.builder().withName(TARGET).withValue("false")
                .withConfigSourceName("the S3 endpoint is plain HTTP").build();
    }
}
