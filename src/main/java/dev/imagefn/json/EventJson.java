package dev.imagefn.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ReferenceImage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the event (DESIGN §3) with Jackson's streaming parser: no reflection, so nothing to register for
 * the native image, and every wrong type gets an error that names the field. Unknown fields are refused,
 * so a typo such as {@code aspect_ratio} cannot silently produce (and bill) the wrong image.
 */
public final class EventJson {
    static final List<String> FIELDS = List.of("prompt", "model", "aspectRatio", "imageSize", "referenceImages",
            "includeText", "thinking", "grounding", "seed", "key", "idempotencyKey", "metadata", "presign");

    private final JsonFactory json;
    private final long maxReferenceBytes;

    public EventJson(long maxBodyBytes, long maxReferenceBytes) {
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxBodyBytes)).build())
                .build();
        this.maxReferenceBytes = maxReferenceBytes;
    }

    public ImageRequest read(byte[] body) {
        try (JsonParser p = json.createParser(body)) {
            return whole(p);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    public ImageRequest read(InputStream body) {
        try (JsonParser p = json.createParser(body)) {
            return whole(p);
        } catch (IOException e) {
            throw malformed(e);
        }
    }

    /** One event and nothing after it. */
    private ImageRequest whole(JsonParser p) throws IOException {
        ImageRequest request = read(p);
        if (p.nextToken() != null) {
            throw ImageFnException.invalid("the body has content after the event object");
        }
        return request;
    }

    /** Reads the event object the parser is positioned before (or on). Leaves the parser after it. */
    public ImageRequest read(JsonParser p) throws IOException {
        JsonToken start = p.currentToken() == null ? p.nextToken() : p.currentToken();
        if (start == null) {
            throw ImageFnException.invalid("the event is empty; expected a JSON object with a 'prompt'");
        }
        if (start != JsonToken.START_OBJECT) {
            throw ImageFnException.invalid("the event must be a JSON object, not " + describe(start));
        }
        String prompt = null, model = null, aspectRatio = null, imageSize = null, thinking = null, key = null;
        String idempotencyKey = null;
        boolean includeText = false, grounding = false, presign = false;
        Integer seed = null;
        List<ReferenceImage> refs = List.of();
        Map<String, String> metadata = Map.of();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken v = p.nextToken();
            if (v == JsonToken.VALUE_NULL) {
                if (!FIELDS.contains(field)) {
                    throw unknownField(field);
                }
                continue;
            }
            switch (field) {
                case "prompt" -> prompt = string(p, field);
                case "model" -> model = string(p, field);
                case "aspectRatio" -> aspectRatio = string(p, field);
                case "imageSize" -> imageSize = v == JsonToken.VALUE_NUMBER_INT ? p.getText() : string(p, field);
                case "thinking" -> thinking = string(p, field);
                case "key" -> key = string(p, field);
                case "idempotencyKey" -> idempotencyKey = string(p, field);
                case "includeText" -> includeText = bool(p, field);
                case "grounding" -> grounding = bool(p, field);
                case "presign" -> presign = bool(p, field);
                case "seed" -> seed = int32(p, field);
                case "referenceImages" -> refs = references(p);
                case "metadata" -> metadata = metadata(p);
                default -> throw unknownField(field);
            }
        }
        if (p.currentToken() != JsonToken.END_OBJECT) {
            throw ImageFnException.invalid("the event is not a well-formed JSON object");
        }
        return new ImageRequest(prompt, model, aspectRatio, imageSize, refs, includeText, thinking, grounding, seed,
                key, idempotencyKey, metadata, presign);
    }

    private List<ReferenceImage> references(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw ImageFnException.invalid("'referenceImages' must be an array");
        }
        List<ReferenceImage> refs = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            String where = "referenceImages[" + refs.size() + "]";
            if (p.currentToken() != JsonToken.START_OBJECT) {
                throw ImageFnException.invalid(where + " must be an object with 'uri' or 'mimeType' and 'data'");
            }
            String uri = null, mimeType = null;
            byte[] data = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "uri" -> uri = string(p, where + ".uri");
                    case "mimeType" -> mimeType = string(p, where + ".mimeType");
                    case "data" -> data = base64(p, where);
                    default -> throw ImageFnException.invalid(where + ": unknown field '" + field
                            + "'; use {\"uri\":\"s3://bucket/key\"} or {\"mimeType\":\"image/png\",\"data\":\"<base64>\"}");
                }
            }
            if (uri != null && data == null) {
                refs.add(s3Uri(uri, where));
            } else if (uri == null && data != null) {
                refs.add(new ReferenceImage.Inline(mimeType, data));
            } else {
                throw ImageFnException.invalid(where + " needs either 'uri' or 'data' (not both)");
            }
        }
        return refs;
    }

    private static ReferenceImage.Stored s3Uri(String uri, String where) {
        try {
            return ReferenceImage.Stored.parse(uri);
        } catch (ImageFnException e) {
            throw ImageFnException.invalid(where + ".uri " + e.detail());
        }
    }

    /** Standard or URL-safe base64, whitespace allowed; the size is checked before decoding. */
    private byte[] base64(JsonParser p, String where) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw ImageFnException.invalid(where + ".data must be a base64 string");
        }
        int chars = p.getTextLength();
        if ((long) chars * 3 / 4 > maxReferenceBytes + 3) {
            throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, where + " is about " + (chars * 3L / 4)
                    + " bytes; the limit is " + maxReferenceBytes);
        }
        String text = p.getText();
        if (text.startsWith("data:")) {
            int comma = text.indexOf(',');
            text = comma < 0 ? "" : text.substring(comma + 1);
        }
        try {
            boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
            return urlSafe ? Base64.getUrlDecoder().decode(text.replaceAll("\\s", ""))
                    : Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ImageFnException.invalid(where + ".data is not valid base64");
        }
    }

    private static Map<String, String> metadata(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.START_OBJECT) {
            throw ImageFnException.invalid("'metadata' must be an object of string values");
        }
        Map<String, String> out = new LinkedHashMap<>();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            JsonToken v = p.nextToken();
            if (!v.isScalarValue() || v == JsonToken.VALUE_NULL) {
                throw ImageFnException.invalid("metadata '" + abbreviate(name) + "' must be a string");
            }
            out.put(name, p.getText());
        }
        return out;
    }

    private static String string(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw ImageFnException.invalid("'" + field + "' must be a string, not " + describe(p.currentToken()));
        }
        return p.getText();
    }

    private static boolean bool(JsonParser p, String field) throws IOException {
        return switch (p.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            default -> throw ImageFnException.invalid("'" + field + "' must be true or false, not "
                    + describe(p.currentToken()));
        };
    }

    private static Integer int32(JsonParser p, String field) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw ImageFnException.invalid("'" + field + "' must be an integer");
        }
        long v = p.getLongValue();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw ImageFnException.invalid("'" + field + "' must fit in 32 bits");
        }
        return (int) v;
    }

    private static ImageFnException unknownField(String field) {
        return ImageFnException.invalid("unknown field '" + abbreviate(field) + "'; the event's fields are "
                + String.join(", ", FIELDS));
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "nothing";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case START_ARRAY -> "an array";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            default -> t.name();
        };
    }

    private static ImageFnException malformed(IOException e) {
        if (e instanceof StreamConstraintsException) {
            return new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the event is too large");
        }
        String why = e instanceof JsonParseException jpe ? jpe.getOriginalMessage() : e.getMessage();
        return ImageFnException.invalid("the body is not valid JSON: " + abbreviate(why == null ? "" : why));
    }

    static String abbreviate(String s) {
        String oneLine = s.replaceAll("\\s+", " ");
        return oneLine.length() <= 160 ? oneLine : oneLine.substring(0, 157) + "...";
    }
}
