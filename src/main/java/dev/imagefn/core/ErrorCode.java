package dev.imagefn.core;

/** The error catalogue of DESIGN §6: each code has one HTTP status and is retryable or not. */
public enum ErrorCode {
    INVALID_REQUEST(400, false, "Invalid request"),
    UNAUTHORIZED(401, false, "Unauthorized"),
    REFERENCE_FORBIDDEN(403, false, "Reference image not allowed"),
    NOT_FOUND(404, false, "No such route"),
    METHOD_NOT_ALLOWED(405, false, "Method not allowed"),
    PAYLOAD_TOO_LARGE(413, false, "Payload too large"),
    REFERENCE_NOT_FOUND(422, false, "Reference image not found"),
    CONTENT_BLOCKED(422, false, "Content blocked"),
    UPSTREAM_RATE_LIMITED(429, true, "Gemini rate limit"),
    NO_IMAGE(502, true, "No image in the model's answer"),
    UPSTREAM_AUTH(502, false, "Gemini rejected the credentials"),
    MODEL_UNAVAILABLE(502, false, "Model unavailable"),
    UPSTREAM_BAD_RESPONSE(502, true, "Bad response from Gemini"),
    UPSTREAM_UNAVAILABLE(503, true, "Gemini unavailable"),
    STORAGE_UNAVAILABLE(503, true, "Storage unavailable"),
    UPSTREAM_TIMEOUT(504, true, "Gemini timed out"),
    INTERNAL(500, true, "Internal error");

    private final int status;
    private final boolean retryable;
    private final String title;

    ErrorCode(int status, boolean retryable, String title) {
        this.status = status;
        this.retryable = retryable;
        this.title = title;
    }

    public int status() {
        return status;
    }

    public boolean retryable() {
        return retryable;
    }

    public String title() {
        return title;
    }

    /** RFC 9457 {@code type}: a stable URI per code. */
    public String type() {
        return "https://imagefn.dev/problems/" + name().toLowerCase().replace('_', '-');
    }
}
