package dev.imagefn.gemini;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.time.Duration;

/**
 * The parts of a Google error body ({@code {"error":{code,message,status,details[]}}}, possibly wrapped in
 * a one-element array) that decide what to do: status, reason, retry delay, quota limit.
 */
record GeminiError(int code, String status, String message, String reason, Duration retryDelay,
        boolean zeroQuota) {
    private static final JsonFactory JSON = new JsonFactory();

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
                    case "quotaValue" -> zeroQuota |= "0".equals(v);
                    default -> {
                    }
                }
                field = null;
            }
        } catch (IOException e) {
            // not JSON: keep what the HTTP status says
        }
        return new GeminiError(code, status, message, reason, retryDelay, zeroQuota);
    }

    /** proto3 JSON Duration: {@code "17s"}, {@code "1.173612231s"}. */
    static Duration protoDuration(String v) {
        if (v == null || !v.endsWith("s")) {
            return null;
        }
        try {
            double seconds = Double.parseDouble(v.substring(0, v.length() - 1));
            return seconds < 0 ? null : Duration.ofNanos((long) (seconds * 1e9));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The message, cut short and without anything that looks like a key. */
    String safeMessage(String apiKey) {
        String m = message == null ? (status == null ? "no detail" : status) : message;
        if (apiKey != null && !apiKey.isEmpty()) {
            m = m.replace(apiKey, "[redacted]");
        }
        m = m.replaceAll("AIza[0-9A-Za-z_\\-]{10,}", "[redacted]");
        return m.length() > 300 ? m.substring(0, 297) + "..." : m;
    }
}
