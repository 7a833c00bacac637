package dev.imagefn.delivery.http;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.json.OpenAiJson;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Failures in OpenAI's shape (README, OpenAI-compatible endpoint). The status is imagefn's, but for a blocked
 * prompt (400 {@code content_policy_violation}, as OpenAI answers). {@code x-should-retry} tells the OpenAI SDKs,
 * which retry 409, 429 and 5xx by themselves, whether another try is safe: only for a transient failure, never after
 * a paid one.
 */
public final class OpenAiErrors {
    private OpenAiErrors() {
    }

    public static HttpReply reply(ImageFnException e, String requestId) {
        ErrorCode code = e.code();
        int status = status(code);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/json");
        if (requestId != null) {
            headers.put(RequestIds.HEADER, requestId);
        }
        headers.put("x-should-retry", Boolean.toString(e.retryable()));
        if (e.retryable()) {
            e.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Long.toString(s)));
        }
        if (code == ErrorCode.UNAUTHORIZED) {
            headers.put("WWW-Authenticate", "Bearer");
        }
        HttpApi.ProblemLog.log(e, requestId);
        String param = e.extensions().getOrDefault("param", code == ErrorCode.MODEL_UNAVAILABLE ? "model" : null);
        return new HttpReply(status, headers, OpenAiJson.writeError(e.detail(), type(code), code(code), param));
    }

    /**
     * The status of a failure: imagefn's, but 400 for a blocked prompt and 404 for a model Gemini does not serve
     * (OpenAI's {@code model_not_found}: a client's mistake, which an SDK or a proxy must not retry as a 5xx).
     */
    public static int status(ErrorCode code) {
        return switch (code) {
            case CONTENT_BLOCKED -> 400;
            case MODEL_UNAVAILABLE -> 404;
            default -> code.status();
        };
    }

    /** OpenAI's {@code error.type} of a failure. */
    public static String type(ErrorCode code) {
        return switch (code) {
            case UPSTREAM_RATE_LIMITED -> "rate_limit_error";
            case UNAUTHORIZED, CONTENT_BLOCKED -> "invalid_request_error";
            default -> status(code) >= 500 ? "server_error" : "invalid_request_error";
        };
    }

    /** OpenAI's {@code error.code} of a failure. */
    public static String code(ErrorCode code) {
        return switch (code) {
            case UNAUTHORIZED -> "invalid_api_key";
            case CONTENT_BLOCKED -> "content_policy_violation";
            case UPSTREAM_RATE_LIMITED -> "rate_limit_exceeded";
            case MODEL_UNAVAILABLE -> "model_not_found";
            default -> code.name().toLowerCase(Locale.ROOT);
        };
    }

    public static HttpReply unauthorized(boolean missing, String requestId) {
        return reply(new ImageFnException(ErrorCode.UNAUTHORIZED, missing
                ? "missing API key: send it as 'Authorization: Bearer <key>'" : "incorrect API key"), requestId);
    }
}
