package dev.imagefn.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * Starts S3Proxy and the Gemini stand-in once per test JVM, each on its own free port, and points the
 * function at them. Tests reach both through the static accessors.
 */
public class LocalStackResource implements QuarkusTestResourceLifecycleManager {
    public static final String API_KEY = "test-key-AIzaSyTESTONLY0123456789";
    private static LocalS3 s3;
    private static GeminiStandIn gemini;

    @Override
    public synchronized Map<String, String> start() {
        try {
            if (s3 == null) {
                s3 = LocalS3.start(Path.of(System.getProperty("localstack.dir", "target/localstack")), 0);
                gemini = new GeminiStandIn(0, API_KEY);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                    gemini.close();
                    s3.close();
                }));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Map.of(
                "imagefn.storage.endpoint", s3.endpoint(),
                "imagefn.gemini.base-url", gemini.baseUrl(),
                "imagefn.gemini.api-key", API_KEY);
    }

    @Override
    public void stop() {
        // shared by every test class of this JVM; stopped by the shutdown hook
    }

    public static GeminiStandIn gemini() {
        return gemini;
    }

    public static LocalS3 s3() {
        return s3;
    }
}
