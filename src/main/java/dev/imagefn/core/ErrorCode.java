package dev.imagefn.core;

import static dev.imagefn.core.Disposition.PAID_FAILED;
import static dev.imagefn.core.Disposition.PERMANENT;
import static dev.imagefn.core.Disposition.TRANSIENT;

/**
 * The error catalogue (README, "Errors"; docs/design.md, "Failures and dispositions"): each code has one HTTP
 * status and one {@link Disposition}. A failure may override the disposition when the code alone cannot tell
 * (a timeout before or after the request was sent).
 */
public enum ErrorCode {
    INVALID_REQUEST(400, PERMANENT, "Invalid request"),
    UNAUTHORIZED(401, PERMANENT, "Unauthorized"),
    REFERENCE_FORBIDDEN(403, PERMANENT, "Reference image not allowed"),
    NOT_FOUND(404, PERMANENT, "No such route"),
    METHOD_NOT_ALLOWED(405, PERMANENT, "Method not allowed"),
    REQUEST_TIMEOUT(408, TRANSIENT, "Request body too slow"),
    IDEMPOTENCY_CONFLICT(409, PERMANENT, "Idempotency key reused with another request"),
    KEY_EXISTS(409, PERMANENT, "Key exists"),
    IDEMPOTENCY_IN_PROGRESS(409, TRANSIENT, "Same request in progress"),
    PAYLOAD_TOO_LARGE(413, PERMANENT, "Payload too large"),
    REFERENCE_NOT_FOUND(422, PERMANENT, "Reference image not found"),
    CONTENT_BLOCKED(422, PERMANENT, "Content blocked"),
    UPSTREAM_RATE_LIMITED(429, TRANSIENT, "Gemini rate limit"),
    NO_IMAGE(502, PAID_FAILED, "No image in the model's answer"),
    UPSTREAM_AUTH(502, PERMANENT, "Gemini rejected the credentials"),
    MODEL_UNAVAILABLE(502, PERMANENT, "Model unavailable"),
    UPSTREAM_BAD_RESPONSE(502, PAID_FAILED, "Bad response from Gemini"),
    UPSTREAM_UNAVAILABLE(503, TRANSIENT, "Gemini unavailable"),
    STORAGE_UNAVAILABLE(503, TRANSIENT, "Storage unavailable"),
    /** Before the request was sent; after it, the generator marks the failure {@link Disposition#PAID_FAILED}. */
    UPSTREAM_TIMEOUT(504, TRANSIENT, "Gemini timed out"),
    INTERNAL(500, TRANSIENT, "Internal error");

    private final int status;
    private final Disposition disposition;
    private final String title;

    ErrorCode(int status, Disposition disposition, String title) {
        this.status = status;
        this.disposition = disposition;
        this.title = title;
    }

    public int status() {
        return status;
    }

    /** The disposition of a failure with this code, unless the failure says otherwise. */
    public Disposition disposition() {
        return disposition;
    }

    public String title() {
        return title;
    }

    /** RFC 9457 {@code type}: a stable URI per code. */
    public String type() {
        return "https://imagefn.dev/problems/" + name().toLowerCase().replace('_', '-');
    }
}
