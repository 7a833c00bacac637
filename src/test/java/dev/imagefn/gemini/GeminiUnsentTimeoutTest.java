package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.Disposition;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.testing.TestConfig;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * UPSTREAM_TIMEOUT is transient before the request was sent and paid after (README, Errors): a deadline that passes
 * before the call's HTTP request was created (the REST client still waiting for a connection, or the call not yet
 * handed to it) leaves nothing paid, so a broker may redeliver and no failure is recorded for good. Here the call
 * never reaches the client; {@link InFlightCalls#cancel()} tells the connection wait the same way.
 */
class GeminiUnsentTimeoutTest {
    private static final GenerationRequest REQUEST = new GenerationRequest("gemini-3.1-flash-image", "x", null, null,
            List.of(), false, null, false, null);

    @Test
    void aDeadlineBeforeTheCallReachedTheClientIsNotPaid() {
        ImagefnConfig config = TestConfig.defaults();
        GeminiApi neverSends = (model, key, body) -> {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                throw new jakarta.ws.rs.ProcessingException(e);
            }
            throw new AssertionError("the deadline interrupts the call first");
        };
        GeminiImageGenerator generator = new GeminiImageGenerator(neverSends, new InFlightCalls(), config,
                new ModelCatalogue(config), OpenTelemetry.noop().getTracer("t"));
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> generator.generate(REQUEST, Deadline.after(Duration.ofMillis(300))));
        assertEquals(ErrorCode.UPSTREAM_TIMEOUT, e.code());
        assertEquals(Disposition.TRANSIENT, e.disposition());
    }
}
