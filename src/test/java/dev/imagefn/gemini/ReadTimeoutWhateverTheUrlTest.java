package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpServer;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.Disposition;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.TestConfig;
import io.opentelemetry.api.OpenTelemetry;
import io.quarkus.test.junit.QuarkusTest;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A head that comes after {@code imagefn.gemini.timeout} is a paid timeout, never retried, whatever words the base
 * URL holds: Vert.x's message quotes the request's path, and a path with "connect" in it once made it look like a
 * failed connection, retried up to five times.
 */
@QuarkusTest
class ReadTimeoutWhateverTheUrlTest extends HttpTestBase {
    private static final GenerationRequest REQUEST = new GenerationRequest("gemini-3.1-flash-image", "x", null, null,
            List.of(), false, null, false, null);

    @ParameterizedTest
    @ValueSource(strings = {"/gateway", "/apiconnect"})
    void aHeadThatComesTooLateIsAPaidTimeoutWhateverTheBaseUrl(String basePath) throws Exception {
        AtomicInteger calls = new AtomicInteger();
        HttpServer slow = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        slow.setExecutor(Executors.newCachedThreadPool());
        slow.createContext("/", ex -> {
            calls.incrementAndGet();
            ex.getRequestBody().readAllBytes();
            try {
                Thread.sleep(3_000); // generating (and billing) past the client's read timeout
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            ex.sendResponseHeaders(503, -1);
            ex.close();
        });
        slow.start();
        try {
            ImagefnConfig config = TestConfig.of(Map.of(
                    "gemini.base-url", "http://127.0.0.1:" + slow.getAddress().getPort() + basePath,
                    "gemini.timeout", "1s", "gemini.retry.initial-delay", "50ms", "gemini.retry.max-delay", "100ms"));
            GeminiImageGenerator generator = new GeminiImageGenerator(config, new ModelCatalogue(config),
                    OpenTelemetry.noop().getTracer("t"));
            ImageFnException e = assertThrows(ImageFnException.class,
                    () -> generator.generate(REQUEST, Deadline.after(Duration.ofSeconds(60))));
            assertEquals(ErrorCode.UPSTREAM_TIMEOUT, e.code(), basePath + ": " + e.getMessage());
            assertEquals(Disposition.PAID_FAILED, e.disposition(), basePath);
            assertEquals(1, calls.get(), basePath + ": a request that may have been billed was sent again");
        } finally {
            slow.stop(0);
        }
    }
}
