package dev.imagefn.gemini;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.config.SettingsCheck;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.Generation;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageGenerator;
import dev.imagefn.core.ModelCatalogue;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Scope;
import io.quarkus.rest.client.reactive.QuarkusRestClientBuilder;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/** {@link ImageGenerator} on Gemini's {@code generateContent}: request, retries, streaming read, mapping. */
@ApplicationScoped
public class GeminiImageGenerator implements ImageGenerator {
    private static final Logger LOG = Logger.getLogger(GeminiImageGenerator.class);
    private static final int MAX_ERROR_BODY = 64 * 1024;
    /** Finish reasons that are a content filter's block; {@code MODEL_ARMOR} is Vertex's response filter. */
    static final Set<String> BLOCK_REASONS = Set.of("IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "SAFETY",
            "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "IMAGE_RECITATION", "RECITATION", "MODEL_ARMOR");

    private final GeminiApi api;
    private final InFlightCalls calls;
    private final String apiKey;
    private final RetryPolicy retry;
    private final GeminiResponseReader reader;
    private final ModelCatalogue catalogue;
    private final Tracer tracer;
    private final ScheduledExecutorService deadlines = DeadlineWatch.timer();

    @Inject
    public GeminiImageGenerator(ImagefnConfig config, ModelCatalogue catalogue, Tracer tracer) {
        this(new InFlightCalls(), config, catalogue, tracer);
    }

    private GeminiImageGenerator(InFlightCalls calls, ImagefnConfig config, ModelCatalogue catalogue, Tracer tracer) {
        this(client(config, calls), calls, config, catalogue, tracer);
    }

    private static GeminiApi client(ImagefnConfig config, InFlightCalls calls) {
        long timeoutMillis = SettingsCheck.geminiTimeoutMillis(config);
        ResponseBodyFilter bodies = new ResponseBodyFilter(timeoutMillis);
        int idleMillis = (int) Math.min(Integer.MAX_VALUE, timeoutMillis);
        return QuarkusRestClientBuilder.newBuilder()
                .baseUri(config.gemini().baseUrl())
                .connectTimeout(config.gemini().connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(timeoutMillis, TimeUnit.MILLISECONDS)
                // The read timeout stops at the response headers; the idle timeout also guards a stalled body.
                .httpClientOptionsCustomizer(o -> o.setIdleTimeout(idleMillis).setIdleTimeoutUnit(TimeUnit.MILLISECONDS))
                .disableDefaultMapper(true)
                .httpClientRequestCustomizer(bodies)
                .register(bodies)
                .register(calls)
                .build(GeminiApi.class);
    }

    GeminiImageGenerator(GeminiApi api, InFlightCalls calls, ImagefnConfig config, ModelCatalogue catalogue,
            Tracer tracer) {
        this.api = api;
        this.calls = calls;
        this.apiKey = checkedKey(config.gemini().apiKey());
        this.retry = new RetryPolicy(config.gemini().retry(), () -> ThreadLocalRandom.current().nextDouble());
        this.reader = new GeminiResponseReader(config.limits().maxImageBytes(), config.limits().maxImagesPerAnswer());
        this.catalogue = catalogue;
        this.tracer = tracer;
    }

    @PreDestroy
    void close() {
        deadlines.shutdownNow();
    }

    /** Surrounding whitespace (a newline from a secrets file) is dropped; anything else unusable fails start-up. */
    static String checkedKey(String raw) {
        String key = raw == null ? "" : raw.strip();
        if (key.isEmpty() || key.chars().anyMatch(c -> c < 0x21 || c > 0x7e)) {
            throw new IllegalStateException("imagefn.gemini.api-key (GEMINI_API_KEY) is empty or contains characters "
                    + "that cannot go in an HTTP header");
        }
        return key;
    }

    /** One span for the call, a child span per attempt, and an event per wait before a retry. */
    @Override
    public Generation generate(GenerationRequest request, Deadline deadline) {
        Span span = tracer.spanBuilder("gemini generateContent").setAttribute("gen_ai.system", "gemini")
                .setAttribute("gen_ai.request.model", request.model()).startSpan();
        try (Scope ignored = span.makeCurrent()) {
            Generation g = generateWithRetries(request, deadline, span);
            span.setAttribute("gen_ai.response.model", String.valueOf(g.modelVersion()));
            return g;
        } catch (ImageFnException e) {
            span.setStatus(StatusCode.ERROR, e.code().name());
            span.setAttribute("imagefn.error.code", e.code().name());
            throw e;
        } finally {
            span.end();
        }
    }

    private Generation generateWithRetries(GenerationRequest request, Deadline deadline, Span call) {
        byte[] body = GeminiRequestWriter.write(request);
        ImageFnException last = null;
        for (int attempt = 1; attempt <= retry.maxAttempts(); attempt++) {
            if (deadline.expired()) {
                throw timeout(last);
            }
            Attempt outcome = tracedAttempt(request.model(), body, deadline, attempt);
            call.setAttribute("imagefn.gemini.attempts", attempt);
            if (outcome.generation != null) {
                return outcome.generation;
            }
            last = outcome.failure;
            if (!outcome.retry || attempt == retry.maxAttempts()) {
                throw last;
            }
            Duration delay = retry.delay(attempt, outcome.serverDelay);
            if (delay.compareTo(deadline.remaining()) >= 0) {
                LOG.debugf("no time left for a retry after %s (needs %s)", last.code(), delay);
                throw last;
            }
            LOG.infof("Gemini attempt %d failed (%s); retrying in %d ms", attempt, last.code(), delay.toMillis());
            call.addEvent("retry wait", Attributes.of(AttributeKey.longKey("imagefn.gemini.attempt"), (long) attempt,
                    AttributeKey.longKey("imagefn.gemini.retry_delay_ms"), delay.toMillis(),
                    AttributeKey.stringKey("imagefn.error.code"), last.code().name()));
            sleep(delay);
        }
        throw last;
    }

    private record Attempt(Generation generation, ImageFnException failure, boolean retry, Duration serverDelay) {
        static Attempt success(Generation g) {
            return new Attempt(g, null, false, null);
        }

        static Attempt fail(ImageFnException e, boolean retry, Duration serverDelay) {
            return new Attempt(null, e, retry, serverDelay);
        }
    }

    private Attempt tracedAttempt(String model, byte[] body, Deadline deadline, int number) {
        Span span = tracer.spanBuilder("gemini attempt " + number).setAttribute("imagefn.gemini.attempt", number)
                .startSpan();
        try (Scope ignored = span.makeCurrent()) {
            Attempt a = attempt(model, body, deadline);
            if (a.failure != null) {
                span.setStatus(StatusCode.ERROR, a.failure.code().name());
                span.setAttribute("imagefn.error.code", a.failure.code().name());
                span.setAttribute("imagefn.gemini.retryable", a.retry);
            }
            return a;
        } finally {
            span.end();
        }
    }

    private Attempt attempt(String model, byte[] body, Deadline deadline) {
        DeadlineWatch watch = new DeadlineWatch(deadline, deadlines);
        Response response = null;
        boolean bodyStarted = false;
        try {
            response = api.generateContent(model, apiKey, body);
            int status = response.getStatus();
            // From a 200 on, the call is paid for, whatever happens to the body.
            bodyStarted = status == 200;
            InputStream in = response.readEntity(InputStream.class);
            if (status == 200) {
                return Attempt.success(toGeneration(reader.read(in), model));
            }
            return failure(model, status, response, readBounded(in));
        } catch (ImageFnException e) {
            return Attempt.fail(e, false, null);
        } catch (RuntimeException | IOException e) {
            if (watch.fired() || e instanceof InterruptedIOException || hasCause(e, InterruptedException.class)) {
                boolean mayBeSent = response != null || abandon(e);
                if (!mayBeSent) {
                    // Still waiting for a connection: nothing reached Gemini, nothing was paid.
                    return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT,
                            "the deadline passed before the request to Gemini could be sent", e), false, null);
                }
                // The request was on its way or sent: it may be generating, and billed.
                return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT,
                        "Gemini did not answer within the deadline", e).paid(), false, null);
            }
            if (isTimeout(e)) {
                // A head or a 200's body that stopped arriving: the request was sent and may be generating (and
                // billed), so another attempt could pay twice.
                return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT,
                        "Gemini did not answer within imagefn.gemini.timeout", e).paid(), false, null);
            }
            if (bodyStarted) {
                // After a 200 the call is paid for: a cut or malformed body is reported, not retried.
                return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE,
                        "the response from Gemini could not be read: " + e.getMessage(), e), false, null);
            }
            if (!(e instanceof IOException) && !hasCause(e, IOException.class)) {
                // Not an I/O error, but it came out of the exchange with Gemini: upstream, not ours.
                LOG.warnf(e, "the call to Gemini failed with %s", e.getClass().getName());
            }
            return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "could not reach Gemini: " + e.getClass().getSimpleName(), e), true, null);
        } finally {
            calls.done();
            watch.close();
            if (response != null) {
                response.close();
            }
        }
    }

    private Attempt failure(String model, int status, Response response, byte[] errorBody) {
        GeminiError error = GeminiError.parse(status, errorBody);
        String message = error.safeMessage(apiKey);
        Duration serverDelay = error.retryDelay() != null ? error.retryDelay()
                : GeminiError.retryAfterHeader(response.getHeaderString("Retry-After"), Instant.now());
        if (status == 429) {
            boolean noQuota = error.zeroQuota() || message.contains("limit: 0");
            ImageFnException e = new ImageFnException(ErrorCode.UPSTREAM_RATE_LIMITED,
                    noQuota ? "the key's project has no quota for this model (limit 0); enable billing: " + message
                            : "Gemini rate limit: " + message,
                    Map.of(), serverDelay != null ? serverDelay : Duration.ofSeconds(30), null);
            return Attempt.fail(e, !noQuota, serverDelay);
        }
        if (RetryPolicy.RETRYABLE_STATUS.contains(status)) {
            ErrorCode code = status == 504 || status == 408 ? ErrorCode.UPSTREAM_TIMEOUT : ErrorCode.UPSTREAM_UNAVAILABLE;
            // Gemini's own delay, when it gave one, is what a caller or broker should wait after this failure too.
            return Attempt.fail(new ImageFnException(code, "Gemini answered " + status + ": " + message, Map.of(),
                    serverDelay, null), true, serverDelay);
        }
        if (status == 404) {
            String successor = catalogue.successorOf(model);
            return Attempt.fail(new ImageFnException(ErrorCode.MODEL_UNAVAILABLE, "model '" + model
                    + "' is not available on the Gemini API (it may be retired); try '" + successor + "'",
                    Map.of("model", model, "suggestedModel", successor), null, null), false, null);
        }
        if (status == 499 || "CANCELLED".equals(error.status())) {
            // Google's CANCELLED: the call was abandoned before an answer, so nothing was delivered; the official
            // SDKs do not retry it, a caller may.
            return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE,
                    "Gemini cancelled the request (" + status + "): " + message), false, null);
        }
        if (isAuthFailure(status, error)) {
            return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_AUTH,
                    "Gemini refused the API key or project (" + status + (error.status() == null ? "" : " "
                            + error.status()) + "): " + message), false, null);
        }
        if (status >= 400 && status < 500) {
            return Attempt.fail(new ImageFnException(ErrorCode.INVALID_REQUEST,
                    "Gemini rejected the request (" + status + "): " + message), false, null);
        }
        return Attempt.fail(new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE,
                "Gemini answered " + status + ": " + message), false, null);
    }

    /** Gemini refusing the key or the project (a 400 API_KEY_INVALID or FAILED_PRECONDITION too), for both clients. */
    static boolean isAuthFailure(int status, GeminiError error) {
        if (status == 401 || status == 402 || status == 403) {
            return true;
        }
        String reason = error.reason() == null ? "" : error.reason();
        String message = error.message() == null ? "" : error.message();
        return reason.startsWith("API_KEY") || "FAILED_PRECONDITION".equals(error.status())
                || message.contains("API key") || message.contains("billing");
    }

    /** An answer as a generation, or why it holds no image (a block, no image). */
    static Generation toGeneration(GeminiResponse r, String model) {
        if (r.blockReason() != null) {
            throw blocked("the prompt was blocked: " + r.blockReason(), r.blockReason(), r.blockReasonMessage());
        }
        List<GeneratedImage> images = r.images();
        if (images.isEmpty() && r.finishReason() != null && BLOCK_REASONS.contains(r.finishReason())) {
            throw blocked("the image was blocked: " + r.finishReason(), r.finishReason(), r.finishMessage());
        }
        if (images.isEmpty()) {
            String why = r.finishReason() == null ? "no finishReason" : "finishReason " + r.finishReason();
            String text = r.text() == null ? "" : "; the model said: " + shorten(r.text());
            throw new ImageFnException(ErrorCode.NO_IMAGE, "the model returned no image (" + why + ")" + text,
                    r.finishReason() == null ? Map.of() : Map.of("finishReason", r.finishReason()), null, null);
        }
        return new Generation(images, r.text(), r.modelVersion() == null ? model : r.modelVersion(),
                r.responseId(), r.usage());
    }

    private static ImageFnException blocked(String detail, String reason, String message) {
        return new ImageFnException(ErrorCode.CONTENT_BLOCKED, detail,
                message == null ? Map.of("reason", reason) : Map.of("reason", reason, "finishMessage",
                        shorten(message)), null, null);
    }

    private static byte[] readBounded(InputStream in) throws IOException {
        if (in == null) {
            return new byte[0];
        }
        return in.readNBytes(MAX_ERROR_BODY);
    }

    private ImageFnException timeout(ImageFnException last) {
        return new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "the deadline passed before Gemini answered"
                + (last == null ? "" : " (last attempt: " + last.getMessage() + ")"));
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "interrupted while waiting to retry");
        }
    }

    /**
     * Cancels the exchange given up on, so Gemini's late answer cannot hold a connection; true unless its request was
     * shown never to have been created.
     */
    private boolean abandon(Exception e) {
        boolean interrupted = Thread.interrupted();
        try {
            return calls.cancel().get(250, TimeUnit.MILLISECONDS);
        } catch (RuntimeException | ExecutionException | TimeoutException x) { // Vert.x shutting down, say
            e.addSuppressed(x);
            return true;
        } catch (InterruptedException x) {
            interrupted = true;
            return true;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A timeout after the request went out (no head, or a body that stopped). Not one while connecting: a
     * {@code ConnectException} (Netty's connect timeout is one) or Vert.x's wait for a pooled connection. Decided
     * by type and by Vert.x's fixed wording, never by words the message may quote from the URL or the model ID.
     */
    private static boolean isTimeout(Throwable e) {
        boolean timeout = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage() == null ? "" : t.getMessage().toLowerCase(java.util.Locale.ROOT);
            if (t instanceof java.net.ConnectException || t.getClass().getSimpleName().contains("ConnectTimeout")
                    || m.contains("has been exceeded when getting a connection")) {
                return false;
            }
            timeout |= t instanceof java.util.concurrent.TimeoutException
                    || t instanceof java.net.SocketTimeoutException || t.getClass().getSimpleName().contains("Timeout")
                    || m.contains("timed out") || m.contains("timeout period");
        }
        return timeout;
    }

    private static boolean hasCause(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (type.isInstance(t)) {
                return true;
            }
        }
        return false;
    }

    private static String shorten(String s) {
        return s.length() <= 500 ? s : s.substring(0, 497) + "...";
    }
}
