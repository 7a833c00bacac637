package dev.imagefn.testing;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The local stack for {@code @QuarkusIntegrationTest}s: S3Proxy and the Gemini stand-in run in the test JVM, and
 * the packaged function (jar or native executable, in its production profile) gets every setting a user would
 * give it, as system properties. Ports are all chosen by the system.
 */
public class PackagedStackResource extends LocalStackResource {

    @Override
    public synchronized Map<String, String> start() {
        Map<String, String> config = new LinkedHashMap<>(super.start());
        config.put("imagefn.storage.bucket", "images");
        config.put("imagefn.storage.path-style", "true");
        config.put("imagefn.storage.create-bucket", "true");
        config.put("imagefn.storage.reference-buckets", "refs");
        config.put("imagefn.gemini.retry.initial-delay", "50ms");
        config.put("imagefn.gemini.retry.max-delay", "1s");
        config.put("quarkus.s3.aws.credentials.type", "static");
        config.put("quarkus.s3.aws.credentials.static-provider.access-key-id", LocalS3.ACCESS_KEY);
        config.put("quarkus.s3.aws.credentials.static-provider.secret-access-key", LocalS3.SECRET_KEY);
        return config;
    }
}
