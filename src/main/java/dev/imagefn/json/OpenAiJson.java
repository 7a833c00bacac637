package dev.imagefn.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageResult;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The OpenAI Images API's JSON (README, OpenAI-compatible endpoint), streamed with Jackson: no reflection. Reading
 * checks only the shape (types, known fields); what the values mean is checked where every event is checked.
 */
public final class OpenAiJson {
    /** OpenAI fields imagefn has no use for: accepted when of the right type, and ignored (README). */
    static final List<String> IGNORED = List.of("user", "quality", "style", "output_format", "output_compression",
            "moderation", "partial_images");
    /** The fields read; with {@link #IGNORED}, every field the body may have. */
    static final List<String> FIELDS = List.of("prompt", "model", "n", "size", "response_format", "background",
            "stream", "aspectRatio", "imageSize", "idempotencyKey", "key", "metadata");
    private static final Pattern SHOWABLE_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");
    private static final JsonFactory WRITER = new JsonFactory();

    private final JsonFactory json;

    /**
     * A generations request. {@code n} is {@code null} when absent; {@code stream} and {@code background} are kept
     * so that what imagefn cannot do is refused rather than ignored.
     */
    public record Request(String prompt, String model, Integer n, String size, String responseFormat,
            String aspectRatio, String imageSize, String idempotencyKey, String key, Map<String, String> metadata,
            String background, boolean stream) {
    }

    /** One entry of {@code data}: exactly one of {@code url} and {@code b64Json}. */
    public record Item(String url, String b64Json) {
    }

    public OpenAiJson(int maxStringChars) {
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(maxStringChars)
                        .maxNestingDepth(16).build())
                .build();
    }

    public Request read(InputStream body) {
        try (JsonParser p = json.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw invalid("the body must be a JSON object with a 'prompt'", null);
            }
            String prompt = null, model = null, size = null, format = null, ratio = null, imageSize = null;
            String idem = null, key = null, background = null;
            Integer n = null;
            boolean stream = false;
            Map<String, String> metadata = Map.of();
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                if (!FIELDS.contains(field) && !IGNORED.contains(field)) {
                    throw invalid("unknown parameter " + showable(field), paramName(field));
                }
                if (v == JsonToken.VALUE_NULL) {
                    continue;
                }
                switch (field) {
                    case "prompt" -> prompt = string(p, field);
                    case "model" -> model = string(p, field);
                    case "size" -> size = string(p, field);
                    case "response_format" -> format = string(p, field);
                    case "aspectRatio" -> ratio = string(p, field);
                    case "imageSize" -> imageSize = v == JsonToken.VALUE_NUMBER_INT ? p.getText() : string(p, field);
                    case "idempotencyKey" -> idem = string(p, field);
                    case "key" -> key = string(p, field);
                    case "background" -> background = string(p, field);
                    case "metadata" -> metadata = metadata(p);
                    case "n" -> n = count(p);
                    case "stream" -> {
                        if (v != JsonToken.VALUE_TRUE && v != JsonToken.VALUE_FALSE) {
                            throw invalid("'stream' must be a boolean", field);
                        }
                        stream = v == JsonToken.VALUE_TRUE;
                    }
                    default -> {
                        if (!v.isScalarValue()) {
                            throw invalid("'" + field + "' must be a string or a number", field);
                        }
                    }
                }
            }
            if (p.nextToken() != null) {
                throw invalid("the body has content after the JSON object", null);
            }
            return new Request(prompt, model, n, size, format, ratio, imageSize, idem, key, metadata, background,
                    stream);
        } catch (IOException e) {
            throw invalid("the body is not valid JSON", null);
        }
    }

    /** {@code {created, data:[{url|b64_json}], usage, output_format?, size?, results:[imagefn results]}}. */
    public static byte[] writeImages(long created, List<Item> items, List<ImageResult> results) {
        return write(g -> {
            g.writeStartObject();
            g.writeNumberField("created", created);
            g.writeArrayFieldStart("data");
            for (Item i : items) {
                g.writeStartObject();
                if (i.url() != null) {
                    g.writeStringField("url", i.url());
                } else {
                    g.writeStringField("b64_json", i.b64Json());
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            long in = 0, out = 0;
            for (ImageResult r : results) {
                in += r.usage().promptTokens();
                out += r.usage().outputTokens();
            }
            g.writeObjectFieldStart("usage");
            g.writeNumberField("input_tokens", in);
            g.writeNumberField("output_tokens", out);
            g.writeNumberField("total_tokens", in + out);
            // The SDKs' types require the split; Gemini's prompt count is given as text.
            g.writeObjectFieldStart("input_tokens_details");
            g.writeNumberField("text_tokens", in);
            g.writeNumberField("image_tokens", 0);
            g.writeEndObject();
            g.writeEndObject();
            ImageResult first = results.getFirst();
            g.writeStringField("output_format", first.mimeType().substring(first.mimeType().indexOf('/') + 1));
            g.writeStringField("size", first.width() + "x" + first.height());
            g.writeArrayFieldStart("results");
            for (ImageResult r : results) {
                ResultJson.write(g, r);
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /** OpenAI's error body: {@code {"error":{"message","type","code","param"}}}. */
    public static byte[] writeError(String message, String type, String code, String param) {
        return write(g -> {
            g.writeStartObject();
            g.writeObjectFieldStart("error");
            g.writeStringField("message", message);
            g.writeStringField("type", type);
            nullable(g, "code", code);
            nullable(g, "param", param);
            g.writeEndObject();
            g.writeEndObject();
        });
    }

    /** A request this endpoint refuses, naming the parameter at fault for OpenAI's {@code param}. */
    public static ImageFnException invalid(String detail, String param) {
        ImageFnException e = ImageFnException.invalid(detail);
        return param == null ? e : new ImageFnException(e.code(), detail, Map.of("param", param), null, null);
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private static byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024);
        try (JsonGenerator g = WRITER.createGenerator(out)) {
            body.write(g);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private static void nullable(JsonGenerator g, String name, String value) throws IOException {
        if (value == null) {
            g.writeNullField(name);
        } else {
            g.writeStringField(name, value);
        }
    }

    private static Integer count(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER
                || p.getLongValue() > Integer.MAX_VALUE || p.getLongValue() < Integer.MIN_VALUE) {
            throw invalid("'n' must be an integer", "n");
        }
        return p.getIntValue();
    }

    private static Map<String, String> metadata(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw invalid("'metadata' must be an object of string values", "metadata");
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (!v.isScalarValue() || v == JsonToken.VALUE_NULL) {
                throw invalid("metadata " + showable(name) + " must be a string", "metadata");
            }
            out.put(name, p.getText());
        }
        return out;
    }

    private static String string(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw invalid("'" + field + "' must be a string", field);
        }
        return p.getText();
    }

    private static String paramName(String name) {
        return SHOWABLE_NAME.matcher(name).matches() ? name : null;
    }

    private static String showable(String name) {
        return SHOWABLE_NAME.matcher(name).matches() ? "'" + name + "'" : "(name not shown)";
    }
}
