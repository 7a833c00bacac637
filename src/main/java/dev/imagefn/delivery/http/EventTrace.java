package dev.imagefn.delivery.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.delivery.JobTelemetry;
import java.io.IOException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * The CloudEvents distributed-tracing extension ({@code traceparent}, {@code tracestate}): {@code ce-} headers in
 * binary mode, top-level attributes in structured mode. It carries the trace the event started in, which the job
 * joins; the hop's own {@code traceparent} header stays the HTTP span's parent.
 */
final class EventTrace {
    private static final JsonFactory JSON = new JsonFactory();

    private EventTrace() {
    }

    static Map<String, String> of(Function<String, String> header, byte[] body) {
        Map<String, String> out = new HashMap<>();
        String contentType = header.apply("Content-Type");
        if (contentType != null && contentType.toLowerCase(Locale.ROOT).startsWith("application/cloudevents")) {
            structured(body, out);
        } else {
            for (String a : JobTelemetry.W3C_FIELDS) {
                String v = header.apply("ce-" + a);
                if (v != null) {
                    try {
                        out.put(a, CloudEventsHttp.decode(v));
                    } catch (ImageFnException unreadable) {
                        // A trace header that cannot be read starts a new trace; it does not fail the event.
                    }
                }
            }
        }
        return out;
    }

    private static void structured(byte[] body, Map<String, String> out) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken value = p.nextToken();
                if (value == JsonToken.VALUE_STRING && JobTelemetry.W3C_FIELDS.contains(field)) {
                    out.put(field, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            // The event itself is refused where it is read; no trace context then.
        }
    }
}
