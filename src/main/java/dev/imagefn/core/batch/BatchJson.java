package dev.imagefn.core.batch;

import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ReferenceImage;
import dev.imagefn.core.idempotency.IdempotencyKey;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The stored forms of pending entries and batch records: streaming JSON, no reflection. */
final class BatchJson {
    private static final JsonFactory JSON = new JsonFactory();

    private BatchJson() {
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] object(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("version", 1);
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** {@code writer} tells this write from another of the same entry (a redelivery). */
    static byte[] write(PendingEntry e, String writer) {
        return object(g -> {
            g.writeStringField("id", e.id());
            g.writeStringField("writer", writer);
            g.writeStringField("kind", e.kind());
            g.writeStringField("deliveryId", e.deliveryId());
            g.writeStringField("identityNamespace", e.identity().namespace());
            g.writeStringField("identityKey", e.identity().key());
            optional(g, "recordOf", e.recordOf());
            g.writeStringField("requestId", e.requestId());
            g.writeNumberField("createdAt", e.createdAtMillis());
            g.writeFieldName("request");
            request(g, e.request());
        });
    }

    static byte[] write(BatchRecord b) {
        return object(g -> {
            g.writeStringField("name", b.name());
            g.writeStringField("model", b.model());
            g.writeNumberField("attempt", b.attempt());
            g.writeNumberField("submittedAt", b.submittedAtMillis());
            g.writeArrayFieldStart("entries");
            for (String id : b.entries()) {
                g.writeString(id);
            }
            g.writeEndArray();
        });
    }

    private static void request(JsonGenerator g, ImageRequest r) throws IOException {
        g.writeStartObject();
        g.writeStringField("prompt", r.prompt());
        optional(g, "model", r.model());
        optional(g, "aspectRatio", r.aspectRatio());
        optional(g, "imageSize", r.imageSize());
        g.writeArrayFieldStart("referenceImages");
        for (ReferenceImage ref : r.referenceImages()) {
            g.writeStartObject();
            switch (ref) {
                case ReferenceImage.Stored s -> g.writeStringField("uri", s.uri());
                case ReferenceImage.Inline in -> {
                    optional(g, "mimeType", in.mimeType());
                    g.writeFieldName("data");
                    g.writeBinary(Base64Variants.MIME_NO_LINEFEEDS, in.data(), 0, in.data().length);
                }
            }
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("includeText", r.includeText());
        optional(g, "thinking", r.thinking());
        g.writeBooleanField("grounding", r.grounding());
        if (r.seed() != null) {
            g.writeNumberField("seed", r.seed());
        }
        optional(g, "key", r.key());
        optional(g, "idempotencyKey", r.idempotencyKey());
        map(g, "metadata", r.metadata());
        g.writeBooleanField("presign", r.presign());
        map(g, "provenance", r.provenance());
        g.writeEndObject();
    }

    /** A pending entry, or {@code null} when the document is not one. */
    static PendingEntry entry(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, String> f = new LinkedHashMap<>();
            ImageRequest request = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                p.nextToken();
                if (name.equals("request")) {
                    request = request(p);
                } else if (p.currentToken().isScalarValue()) {
                    f.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            return new PendingEntry(f.get("id"), f.get("kind"), f.get("deliveryId"),
                    new IdempotencyKey(f.get("identityNamespace"), f.get("identityKey")), f.get("recordOf"),
                    f.get("requestId"), Long.parseLong(f.get("createdAt")), request);
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static ImageRequest request(JsonParser p) throws IOException {
        Map<String, String> f = new LinkedHashMap<>();
        Map<String, String> metadata = Map.of();
        Map<String, String> provenance = Map.of();
        List<ReferenceImage> refs = new ArrayList<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            switch (name) {
                case "metadata" -> metadata = strings(p);
                case "provenance" -> provenance = strings(p);
                case "referenceImages" -> {
                    while (p.nextToken() == JsonToken.START_OBJECT) {
                        String uri = null, mime = null;
                        byte[] data = null;
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String field = p.currentName();
                            p.nextToken();
                            switch (field) {
                                case "uri" -> uri = p.getText();
                                case "mimeType" -> mime = p.getText();
                                case "data" -> data = p.getBinaryValue(Base64Variants.MIME_NO_LINEFEEDS);
                                default -> p.skipChildren();
                            }
                        }
                        refs.add(uri != null ? ReferenceImage.Stored.parse(uri) : new ReferenceImage.Inline(mime, data));
                    }
                }
                default -> {
                    if (p.currentToken().isScalarValue()) {
                        f.put(name, p.getText());
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }
        return new ImageRequest(f.get("prompt"), f.get("model"), f.get("aspectRatio"), f.get("imageSize"), refs,
                Boolean.parseBoolean(f.get("includeText")), f.get("thinking"), Boolean.parseBoolean(f.get("grounding")),
                f.get("seed") == null ? null : Integer.valueOf(f.get("seed")), f.get("key"), f.get("idempotencyKey"),
                metadata, Boolean.parseBoolean(f.get("presign")), provenance);
    }

    /** A batch record, or {@code null} when the document is not one. */
    static BatchRecord batch(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Map<String, String> f = new LinkedHashMap<>();
            List<String> entries = new ArrayList<>();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                if (p.nextToken() == JsonToken.START_ARRAY && name.equals("entries")) {
                    while (p.nextToken() == JsonToken.VALUE_STRING) {
                        entries.add(p.getText());
                    }
                } else if (p.currentToken().isScalarValue()) {
                    f.put(name, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            return new BatchRecord(f.get("name"), f.get("model"), Integer.parseInt(f.get("attempt")), entries,
                    Long.parseLong(f.get("submittedAt")));
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    private static Map<String, String> strings(JsonParser p) throws IOException {
        Map<String, String> m = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            p.nextToken();
            m.put(name, p.getText());
        }
        return m;
    }

    private static void map(JsonGenerator g, String name, Map<String, String> m) throws IOException {
        g.writeObjectFieldStart(name);
        for (var e : m.entrySet()) {
            g.writeStringField(e.getKey(), e.getValue());
        }
        g.writeEndObject();
    }

    private static void optional(JsonGenerator g, String name, String value) throws IOException {
        if (value != null) {
            g.writeStringField(name, value);
        }
    }
}
