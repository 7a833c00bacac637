package dev.imagefn.core;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A failure the caller should see: one {@link ErrorCode}, a human detail (never a secret, never
 * long base64), and optional extra problem members (block reason, suggested model, ...).
 */
public class ImageFnException extends RuntimeException {
    /** What a transient failure asks a caller to wait when nothing said how long (5xx after the retries). */
    public static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(5);
    private final ErrorCode code;
    private final Map<String, String> extensions;
    private final Duration retryAfter;
    private final Disposition disposition;

    public ImageFnException(ErrorCode code, String detail) {
        this(code, detail, Map.of(), null, null);
    }

    public ImageFnException(ErrorCode code, String detail, Throwable cause) {
        this(code, detail, Map.of(), null, cause);
    }

    public ImageFnException(ErrorCode code, String detail, Map<String, String> extensions, Duration retryAfter,
            Throwable cause) {
        this(code, detail, extensions, retryAfter, cause, code.disposition());
    }

    private ImageFnException(ErrorCode code, String detail, Map<String, String> extensions, Duration retryAfter,
            Throwable cause, Disposition disposition) {
        super(detail, cause);
        this.code = code;
        this.extensions = Map.copyOf(extensions);
        this.retryAfter = retryAfter;
        this.disposition = disposition;
    }

    /** The same failure, known to have happened after Gemini was paid: it must not be redelivered. */
    public ImageFnException paid() {
        return new ImageFnException(code, detail(), extensions, retryAfter, getCause(), Disposition.PAID_FAILED);
    }

    /** The same failure, with {@code more} added to its detail. */
    public ImageFnException withDetail(String more) {
        return new ImageFnException(code, detail() + more, extensions, retryAfter, getCause(), disposition);
    }

    /** The failure as another disposition decides it (a stored failure replayed to a redelivery). */
    public ImageFnException as(Disposition d) {
        return new ImageFnException(code, detail(), extensions, retryAfter, getCause(), d);
    }

    public static ImageFnException invalid(String detail) {
        return new ImageFnException(ErrorCode.INVALID_REQUEST, detail);
    }

    public ErrorCode code() {
        return code;
    }

    public Disposition disposition() {
        return disposition;
    }

    /** {@code retryable} in a problem document: only a transient failure is worth another delivery. */
    public boolean retryable() {
        return disposition.redeliver();
    }

    public String detail() {
        return getMessage();
    }

    public Map<String, String> extensions() {
        return extensions;
    }

    public Optional<Duration> retryAfter() {
        return Optional.ofNullable(retryAfter);
    }

    /**
     * Retry-After as every carrier sends it: whole seconds, rounded up (never early), at least 1; for a transient
     * failure without a delay of its own, {@link #DEFAULT_RETRY_AFTER}.
     */
    public OptionalLong retryAfterSeconds() {
        Duration d = retryAfter == null && retryable() ? DEFAULT_RETRY_AFTER : retryAfter;
        return d == null ? OptionalLong.empty() : OptionalLong.of(wholeSecondsUp(d));
    }

    static long wholeSecondsUp(Duration d) {
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Math.max(1, s);
    }
}
