package dev.imagefn.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** A {@link CuttingProxy} in front of the local S3 server; the function's S3 client goes through it. */
public class CuttingProxyResource implements QuarkusTestResourceLifecycleManager {
    private static CuttingProxy proxy;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (proxy == null) {
                proxy = new CuttingProxy(() -> LocalStackResource.s3().port());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of("quarkus.s3.endpoint-override", proxy.endpoint());
    }

    @Override
    public void stop() {
        proxy.passThrough();
    }

    public static CuttingProxy proxy() {
        return proxy;
    }
}
