package dev.imagefn.gemini;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a Google error body ({@code {"error":{code,message,status,details[]}}}, possibly wrapped in
 * a one-element array) that decide what to do: status, reason, retry delay, and whether the quota is 0.
 */
record GeminiError(int code, String status, String message, String reason, Duration retryDelay,
        boolean zeroQuota) {
    private static final JsonFactory JSON = new JsonFactory();
    /** A server-given delay longer than this is not believed; the backoff applies instead. */
    static final Duration MAX_SERVER_DELAY = Duration.ofDays(1);
    private static final Pattern PROTO_DURATION = Pattern.compile("(\\d{1,12})(?:\\.(\\d{1,9}))?s");
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,12}");

    static GeminiError parse(int httpStatus, byte[] body) {
        String status = null;
        String message = null;
        String reason = null;
        Duration retryDelay = null;
        boolean zeroQuota = false;
        int code = httpStatus;
        try (JsonParser p = JSON.createParser(body)) {
            JsonToken t;
            String field = null;
            while ((t = p.nextToken()) != null) {
                if (t == JsonToken.FIELD_NAME) {
                    field = p.currentName();
                    continue;
                }
                if (field == null || !t.isScalarValue()) {
                    continue;
                }
                String v = p.getValueAsString();
                switch (field) {
                    case "code" -> code = p.getValueAsInt(httpStatus);
                    case "status" -> status = status == null ? v : status;
                    case "message" -> message = message == null ? v : message;
                    case "reason" -> reason = reason == null ? v : reason;
                    case "retryDelay" -> retryDelay = protoDuration(v);
                    // QuotaFailure.violations[].quotaValue, or ErrorInfo.metadata.quota_limit_value (Vertex)
                    case "quotaValue", "quota_limit_value" -> zeroQuota |= v != null && v.strip().matches("0+");
                    default -> {
                    }
                }
                field = null;
            }
        } catch (IOException | RuntimeException e) {
            // not JSON: keep what the HTTP status says
        }
        return new GeminiError(code, status, message, reason, retryDelay, zeroQuota);
    }

    /** proto3 JSON Duration: {@code "17s"}, {@code "1.173612231s"}; null when malformed or beyond reason. */
    static Duration protoDuration(String v) {
        Matcher m = v == null ? null : PROTO_DURATION.matcher(v.strip());
        if (m == null || !m.matches()) {
            return null;
        }
        String fraction = m.group(2) == null ? "" : m.group(2);
        long nanos = fraction.isEmpty() ? 0 : Long.parseLong((fraction + "00000000").substring(0, 9));
        return sane(Duration.ofSeconds(Long.parseLong(m.group(1)), nanos));
    }

    /**
     * An HTTP {@code Retry-After} value (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date in the future. Null when
     * absent, negative, malformed, in the past or beyond reason, so that the backoff applies.
     */
    static Duration retryAfterHeader(String value, Instant now) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String v = value.strip();
        if (DELTA_SECONDS.matcher(v).matches()) {
            return sane(Duration.ofSeconds(Long.parseLong(v)));
        }
        try {
            Duration d = Duration.between(now, ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
            return d.isNegative() || d.isZero() ? null : sane(d);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static Duration sane(Duration d) {
        return d.isNegative() || d.compareTo(MAX_SERVER_DELAY) > 0 ? null : d;
    }

    /** The message, cut short and without anything that looks like a key. */
    String safeMessage(String apiKey) {
        String m = message == null ? (status == null ? "no detail" : status) : message;
        if (apiKey != null && !apiKey.isEmpty()) {
            m = m.replace(apiKey, "[redacted]");
        }
        m = m.replaceAll("AIza[0-9A-Za-z_\\-]{10,}", "[redacted]");
        // A reference sent by presigned URL may be echoed back: its query is the signature.
        m = m.replaceAll("(https?://[^\\s?\"'<>]*)\\?[^\\s\"'<>]*", "$1?[redacted]");
        return m.length() > 300 ? m.substring(0, 297) + "..." : m;
    }
}
