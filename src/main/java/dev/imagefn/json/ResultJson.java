package dev.imagefn.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.imagefn.core.ImageResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Writes the result (README, The result) with Jackson's streaming generator: no reflection. */
public final class ResultJson {
    private static final JsonFactory JSON = new JsonFactory();

    private ResultJson() {
    }

    public static byte[] write(ImageResult r) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            write(g, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    public static void write(JsonGenerator g, ImageResult r) throws IOException {
        g.writeStartObject();
        g.writeStringField("bucket", r.bucket());
        g.writeStringField("key", r.key());
        g.writeStringField("uri", r.uri());
        if (r.url() != null) {
            g.writeStringField("url", r.url());
        }
        imageFields(g, r.mimeType(), r.bytes(), r.sha256(), r.width(), r.height());
        g.writeArrayFieldStart("images");
        for (ImageResult.StoredImage i : r.images()) {
            g.writeStartObject();
            g.writeStringField("key", i.key());
            imageFields(g, i.mimeType(), i.bytes(), i.sha256(), i.width(), i.height());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (r.text() != null) {
            g.writeStringField("text", r.text());
        }
        g.writeStringField("model", r.model());
        if (r.modelVersion() != null) {
            g.writeStringField("modelVersion", r.modelVersion());
        }
        g.writeBooleanField("rerouted", r.rerouted());
        if (r.fallback()) {
            g.writeStringField("requestedModel", r.requestedModel());
            g.writeBooleanField("fallback", true);
        }
        g.writeObjectFieldStart("usage");
        g.writeNumberField("promptTokens", r.usage().promptTokens());
        g.writeNumberField("outputTokens", r.usage().outputTokens());
        g.writeNumberField("imageTokens", r.usage().imageTokens());
        g.writeNumberField("thoughtTokens", r.usage().thoughtTokens());
        g.writeEndObject();
        g.writeObjectFieldStart("cost");
        if (r.cost().usd() == null) {
            g.writeNullField("usd");
        } else {
            g.writeNumberField("usd", r.cost().usd());
        }
        g.writeStringField("basis", r.cost().basis());
        g.writeEndObject();
        g.writeBooleanField("reused", r.reused());
        g.writeStringField("requestId", r.requestId());
        g.writeEndObject();
    }

    private static void imageFields(JsonGenerator g, String mimeType, long bytes, String sha256, int width, int height)
            throws IOException {
        g.writeStringField("mimeType", mimeType);
        g.writeNumberField("bytes", bytes);
        g.writeStringField("sha256", sha256);
        g.writeNumberField("width", width);
        g.writeNumberField("height", height);
    }
}
