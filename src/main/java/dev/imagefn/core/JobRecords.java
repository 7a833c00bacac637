package dev.imagefn.core;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an idempotency record keeps of a job's outcome: the stored images (enough to answer a reuse without
 * generating), or the problem of a paid failure (to answer a redelivery the same way).
 */
final class JobRecords {
    private static final JsonFactory JSON = new JsonFactory();

    /** A stored result: the images in order, the last the main one. */
    record Stored(String bucket, List<ImageResult.StoredImage> images, String model, String modelVersion, String text) {
        Stored {
            images = List.copyOf(images);
        }
    }

    private JobRecords() {
    }

    static String encode(ImageResult r) {
        return write(g -> {
            g.writeStringField("bucket", r.bucket());
            g.writeStringField("model", r.model());
            optional(g, "modelVersion", r.modelVersion());
            optional(g, "text", r.text());
            g.writeArrayFieldStart("images");
            for (ImageResult.StoredImage i : r.images()) {
                g.writeStartObject();
                g.writeStringField("key", i.key());
                g.writeStringField("mimeType", i.mimeType());
                g.writeNumberField("bytes", i.bytes());
                g.writeStringField("sha256", i.sha256());
                g.writeNumberField("width", i.width());
                g.writeNumberField("height", i.height());
                g.writeEndObject();
            }
            g.writeEndArray();
        });
    }

    /** The stored result, or {@code null} when the text is not one. */
    static Stored decodeStored(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            Map<String, String> fields = new LinkedHashMap<>();
            List<ImageResult.StoredImage> images = new ArrayList<>();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY && name.equals("images")) {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        Map<String, String> f = flat(p);
                        images.add(new ImageResult.StoredImage(f.get("key"), f.get("mimeType"),
                                Long.parseLong(f.get("bytes")), f.get("sha256"), Integer.parseInt(f.get("width")),
                                Integer.parseInt(f.get("height"))));
                    }
                } else if (p.currentToken().isScalarValue()) {
                    fields.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            if (images.isEmpty() || fields.get("bucket") == null) {
                return null;
            }
            return new Stored(fields.get("bucket"), images, fields.get("model"), fields.get("modelVersion"),
                    fields.get("text"));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    static String encode(ImageFnException e) {
        return write(g -> {
            g.writeStringField("code", e.code().name());
            g.writeStringField("detail", e.detail());
            g.writeObjectFieldStart("extensions");
            for (var x : e.extensions().entrySet()) {
                g.writeStringField(x.getKey(), x.getValue());
            }
            g.writeEndObject();
        });
    }

    /** The recorded failure as a paid one: never worth another delivery. */
    static ImageFnException decodeFailure(String text) {
        try (JsonParser p = JSON.createParser(text)) {
            Map<String, String> fields = new LinkedHashMap<>();
            Map<String, String> extensions = new LinkedHashMap<>();
            p.nextToken();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_OBJECT && name.equals("extensions")) {
                    extensions.putAll(flat(p));
                } else if (p.currentToken().isScalarValue()) {
                    fields.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            return new ImageFnException(ErrorCode.valueOf(fields.get("code")), fields.get("detail"), extensions, null,
                    null).as(Disposition.PAID_FAILED);
        } catch (IOException | RuntimeException e) {
            return new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "this request failed earlier after it was "
                    + "paid for").as(Disposition.PAID_FAILED);
        }
    }

    private static Map<String, String> flat(JsonParser p) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            if (p.currentToken().isScalarValue()) {
                f.put(name, p.getText());
            } else {
                p.skipChildren();
            }
        }
        return f;
    }

    private interface Fields {
        void write(JsonGenerator g) throws IOException;
    }

    private static String write(Fields fields) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            fields.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    private static void optional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
