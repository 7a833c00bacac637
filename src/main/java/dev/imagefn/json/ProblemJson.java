package dev.imagefn.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.imagefn.core.ImageFnException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** RFC 9457 problem details for an {@link ImageFnException} (README, Errors). */
public final class ProblemJson {
    public static final String MEDIA_TYPE = "application/problem+json";
    private static final JsonFactory JSON = new JsonFactory();

    private ProblemJson() {
    }

    public static byte[] write(ImageFnException e, String requestId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, e, requestId);
        } catch (IOException io) {
            throw new UncheckedIOException(io);
        }
        return out.toByteArray();
    }

    public static void write(JsonGenerator g, ImageFnException e, String requestId) throws IOException {
        g.writeStartObject();
        g.writeStringField("type", e.code().type());
        g.writeStringField("title", e.code().title());
        g.writeNumberField("status", e.code().status());
        g.writeStringField("detail", e.detail());
        g.writeStringField("code", e.code().name());
        g.writeBooleanField("retryable", e.retryable());
        if (requestId != null) {
            g.writeStringField("requestId", requestId);
        }
        if (e.retryAfterSeconds().isPresent()) {
            g.writeNumberField("retryAfterSeconds", e.retryAfterSeconds().getAsLong());
        }
        for (var x : e.extensions().entrySet()) {
            g.writeStringField(x.getKey(), x.getValue());
        }
        g.writeEndObject();
    }
}
