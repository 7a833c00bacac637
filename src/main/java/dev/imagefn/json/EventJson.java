package dev.imagefn.json;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.io.JsonEOFException;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ReferenceImage;
import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads the event in one streaming pass with Jackson's parser: no reflection, so nothing to register
 * for the native image. The body is counted against {@code imagefn.limits.max-body-bytes} as it is read; inline
 * reference images are decoded from the stream into bounded buffers (the base64 text is never built), within
 * their per-image and total limits. Strict: unknown or duplicate fields, wrong types and anything after the event
 * object are refused, and no error quotes the body back (only a short, name-like unknown field name).
 */
public final class EventJson {
    static final List<String> FIELDS = List.of("prompt", "model", "aspectRatio", "imageSize", "referenceImages",
            "includeText", "thinking", "grounding", "seed", "key", "idempotencyKey", "metadata", "presign");
    /** Standard alphabet (RFC 4648 §4), padding optional; escaped line breaks between quads are skipped. */
    private static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS
            .withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);
    private static final Pattern SHOWABLE_NAME = Pattern.compile("[A-Za-z0-9_.\\-]{1,64}");

    private final JsonFactory json;
    private final long maxBodyBytes;
    private final long maxReferenceBytes;
    private final long maxInlineBytes;

    public EventJson(ImagefnConfig.Limits limits) {
        this(limits.maxBodyBytes(), limits.maxReferenceBytes(), limits.maxInlineReferenceBytes(),
                Math.max(limits.maxPromptChars(), 64 * 1024));
    }

    /** With the default total for inline references. */
    public EventJson(long maxBodyBytes, long maxReferenceBytes) {
        this(maxBodyBytes, maxReferenceBytes, ImagefnConfig.Limits.DEFAULT_MAX_INLINE_REFERENCE_BYTES, maxBodyBytes);
    }

    private EventJson(long maxBodyBytes, long maxReferenceBytes, long maxInlineBytes, long maxStringChars) {
        this.json = JsonFactory.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxStringLength((int) Math.min(Integer.MAX_VALUE, maxStringChars))
                        .maxNestingDepth(64).build())
                .build();
        this.maxBodyBytes = maxBodyBytes;
        this.maxReferenceBytes = maxReferenceBytes;
        this.maxInlineBytes = maxInlineBytes;
    }

    public ImageRequest read(byte[] body) {
        return read(new ByteArrayInputStream(body));
    }

    /** One event, read as the bytes arrive; PAYLOAD_TOO_LARGE as soon as the body passes the limit. */
    public ImageRequest read(InputStream body) {
        try (JsonParser p = json.createParser(new Bounded(body, maxBodyBytes))) {
            ImageRequest request = read(p);
            JsonToken after;
            try {
                after = p.nextToken();
            } catch (JsonParseException e) {
                after = JsonToken.NOT_AVAILABLE;
            }
            if (after != null) {
                throw ImageFnException.invalid("the body has content after the event object");
            }
            return request;
        } catch (IOException e) {
            throw malformed(e);
        }
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
        long inline = 0;
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
                    case "data" -> data = base64(p, where, maxInlineBytes - inline);
                    default -> throw ImageFnException.invalid(where + ": unknown field " + showable(field)
                            + "; use {\"uri\":\"s3://bucket/key\"} or {\"mimeType\":\"image/png\",\"data\":\"<base64>\"}");
                }
            }
            if (uri != null && data == null) {
                refs.add(s3Uri(uri, where));
            } else if (uri == null && data != null) {
                inline += data.length;
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

    /** Decodes the base64 string the parser is on straight from the stream, into at most the bytes allowed. */
    private byte[] base64(JsonParser p, String where, long inlineLeft) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw ImageFnException.invalid(where + ".data must be a base64 string");
        }
        Capped out = new Capped(Math.min(maxReferenceBytes, inlineLeft), () -> inlineLeft < maxReferenceBytes
                ? new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the inline reference images have more than "
                        + maxInlineBytes + " bytes in all (imagefn.limits.max-inline-reference-bytes)")
                : new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, where + " is larger than the limit of "
                        + maxReferenceBytes + " bytes"));
        try {
            p.readBinaryValue(BASE64, out);
        } catch (JsonParseException | IllegalArgumentException e) {
            throw ImageFnException.invalid(where + ".data is not valid base64 (standard alphabet, no data: URL prefix)");
        }
        return out.bytes();
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
                throw ImageFnException.invalid("metadata " + showable(name) + " must be a string");
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
        if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw ImageFnException.invalid("'" + field + "' must fit in 32 bits");
        }
        long v = p.getLongValue();
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw ImageFnException.invalid("'" + field + "' must fit in 32 bits");
        }
        return (int) v;
    }

    private static ImageFnException unknownField(String field) {
        return ImageFnException.invalid("unknown field " + showable(field) + "; the event's fields are "
                + String.join(", ", FIELDS));
    }

    /** A field name as it may appear in a message: quoted when short and name-like, else not at all. */
    private static String showable(String name) {
        return SHOWABLE_NAME.matcher(name).matches() ? "'" + name + "'" : "(name not shown)";
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

    /** Our own words for Jackson's errors, which quote the input. */
    private static ImageFnException malformed(IOException e) {
        if (e instanceof StreamConstraintsException) {
            return new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the event has a value that is too long or too "
                    + "deeply nested");
        }
        if (e instanceof JsonEOFException) {
            return ImageFnException.invalid("the body is not valid JSON: it ends inside the event");
        }
        if (e instanceof JsonParseException jpe) {
            String what = jpe.getOriginalMessage() != null && jpe.getOriginalMessage().startsWith("Duplicate field")
                    ? "the event has a field twice" : "the body is not valid JSON";
            return ImageFnException.invalid(what + at(jpe.getLocation()));
        }
        return ImageFnException.invalid("the body could not be read (" + e.getClass().getSimpleName() + ")");
    }

    private static String at(JsonLocation l) {
        return l == null || l.getLineNr() < 1 ? "" : " (line " + l.getLineNr() + ", column " + l.getColumnNr() + ")";
    }

    /** Counts the body as the parser pulls it and stops it one byte past the limit. */
    private static final class Bounded extends FilterInputStream {
        private final long max;
        private long count;

        Bounded(InputStream in, long max) {
            super(in);
            this.max = max;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                counted(1);
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, (int) Math.min(len, Math.max(1, max - count + 1)));
            if (n > 0) {
                counted(n);
            }
            return n;
        }

        private void counted(int n) {
            count += n;
            if (count > max) {
                throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than " + max + " bytes");
            }
        }
    }

    /** Decoded bytes, refused past {@code max} with the exception {@code tooLarge} makes. */
    private static final class Capped extends OutputStream {
        private final long max;
        private final java.util.function.Supplier<ImageFnException> tooLarge;
        private byte[] buf = new byte[8192];
        private int size;

        Capped(long max, java.util.function.Supplier<ImageFnException> tooLarge) {
            this.max = max;
            this.tooLarge = tooLarge;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            if (size + (long) len > max) {
                throw tooLarge.get();
            }
            if (size + len > buf.length) {
                buf = Arrays.copyOf(buf, (int) Math.min(Math.max(buf.length * 2L, size + (long) len), max));
            }
            System.arraycopy(b, off, buf, size, len);
            size += len;
        }

        byte[] bytes() {
            return size == buf.length ? buf : Arrays.copyOf(buf, size);
        }
    }
}
