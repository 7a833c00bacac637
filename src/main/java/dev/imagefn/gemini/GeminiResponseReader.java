package dev.imagefn.gemini;

import com.fasterxml.jackson.core.Base64Variant;
import com.fasterxml.jackson.core.Base64Variants;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.imagefn.config.SettingsCheck;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.Usage;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Reads a {@code GenerateContentResponse} from the wire as it arrives, with Jackson's streaming parser: image
 * data is decoded from base64 straight into {@link ImageBytes} ({@link JsonParser#readBinaryValue} streams, so
 * the 20-million-character value is never held as a String or a tree). Strict JSON; camelCase and snake_case
 * names; the standard or the URL-safe base64 alphabet (proto3 JSON allows both); a top-level array of responses
 * (stream chunks). Thought (draft) images are never delivered (docs/gemini.md,
 * The response); their data is not even decoded when {@code thought} comes first.
 */
final class GeminiResponseReader {
    private static final Logger LOG = Logger.getLogger(GeminiResponseReader.class);
    /** The answer's text, all parts together, is cut to this many characters. */
    private static final int MAX_TEXT = 1 << 20;
    /** Longest text value read at all (it is then cut to {@link #MAX_TEXT}); base64 data is streamed, not counted. */
    private static final int MAX_STRING = 16 << 20;
    /** The standard alphabet Gemini uses; padding optional, escaped line breaks between quads skipped. */
    static final Base64Variant BASE64 = Base64Variants.MIME_NO_LINEFEEDS
            .withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);
    static final Base64Variant BASE64_URL = Base64Variants.MODIFIED_FOR_URL
            .withReadPadding(Base64Variant.PaddingReadBehaviour.PADDING_ALLOWED);
    /** How much of a value's start decides its alphabet: 62 of 64 characters are the same in both. */
    private static final int SNIFF = 8192;

    private final long maxImageBytes;
    private final int maxImages;
    private final JsonFactory json = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING).maxNestingDepth(64)
                    .build())
            .build();

    GeminiResponseReader(long maxImageBytes, int maxImages) {
        this.maxImageBytes = maxImageBytes;
        this.maxImages = SettingsCheck.maxImagesPerAnswer(maxImages);
    }

    GeminiResponse read(InputStream body) throws IOException {
        RecentBytes recent = new RecentBytes(body);
        try (JsonParser p = json.createParser(recent)) {
            State state = new State(recent);
            JsonToken first = p.nextToken();
            if (first == JsonToken.START_ARRAY) {
                JsonToken t;
                while ((t = p.nextToken()) != JsonToken.END_ARRAY) {
                    expect(p, t, JsonToken.START_OBJECT);
                    response(p, state);
                }
            } else {
                expect(p, first, JsonToken.START_OBJECT);
                response(p, state);
            }
            if (p.nextToken() != null) {
                throw new IOException("content after the end of the response at " + p.currentLocation());
            }
            return new GeminiResponse(List.copyOf(state.images), state.text.isEmpty() ? null
                    : state.text.toString(), state.finishReason, state.finishMessage, state.blockReason,
                    state.blockMessage, new Usage(state.promptTokens, state.outputTokens, state.imageTokens,
                            state.thoughtTokens), state.modelVersion, state.responseId);
        }
    }

    private void response(JsonParser p, State s) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = normalise(p.currentName());
            JsonToken v = p.nextToken();
            switch (name) {
                case "candidates" -> {
                    expect(p, v, JsonToken.START_ARRAY);
                    int index = 0;
                    while ((v = p.nextToken()) != JsonToken.END_ARRAY) {
                        expect(p, v, JsonToken.START_OBJECT);
                        if (index++ == 0) {
                            candidate(p, s);
                        } else {
                            p.skipChildren();
                        }
                    }
                }
                case "promptfeedback" -> objectFields(p, v, f -> {
                    switch (f) {
                        case "blockreason" -> s.blockReason = string(p);
                        case "blockreasonmessage" -> s.blockMessage = string(p);
                        default -> p.skipChildren();
                    }
                });
                case "usagemetadata" -> usage(p, v, s);
                case "modelversion" -> s.modelVersion = string(p);
                case "responseid" -> s.responseId = string(p);
                default -> p.skipChildren();
            }
        }
        expect(p, t, JsonToken.END_OBJECT);
    }

    private void candidate(JsonParser p, State s) throws IOException {
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = normalise(p.currentName());
            JsonToken v = p.nextToken();
            switch (name) {
                case "content" -> objectFields(p, v, f -> {
                    if (f.equals("parts") && p.currentToken() == JsonToken.START_ARRAY) {
                        JsonToken part;
                        while ((part = p.nextToken()) != JsonToken.END_ARRAY) {
                            expect(p, part, JsonToken.START_OBJECT);
                            part(p, s);
                        }
                    } else {
                        p.skipChildren();
                    }
                });
                case "finishreason" -> s.finishReason = string(p);
                case "finishmessage" -> s.finishMessage = string(p);
                default -> p.skipChildren();
            }
        }
        expect(p, t, JsonToken.END_OBJECT);
    }

    private void part(JsonParser p, State s) throws IOException {
        boolean thought = false;
        String text = null;
        String declaredMime = null;
        ImageBytes data = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = normalise(p.currentName());
            JsonToken v = p.nextToken();
            switch (name) {
                case "thought" -> thought = v == JsonToken.VALUE_TRUE;
                case "text" -> text = text(p);
                case "inlinedata" -> {
                    expect(p, v, JsonToken.START_OBJECT);
                    JsonToken f;
                    while ((f = p.nextToken()) == JsonToken.FIELD_NAME) {
                        String field = normalise(p.currentName());
                        JsonToken fv = p.nextToken();
                        if (field.equals("mimetype")) {
                            declaredMime = string(p);
                        } else if (field.equals("data") && fv == JsonToken.VALUE_STRING && !thought) {
                            data = decode(p, s);
                        } else {
                            // An unread string (a thought's data) is skipped without being buffered.
                            p.skipChildren();
                        }
                    }
                    expect(p, f, JsonToken.END_OBJECT);
                }
                default -> p.skipChildren();
            }
        }
        expect(p, t, JsonToken.END_OBJECT);
        if (data != null && !thought) {
            if (s.images.size() >= maxImages) {
                throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "the response holds more than "
                        + maxImages + " images (imagefn.limits.max-images-per-answer)");
            }
            s.images.add(image(data, declaredMime));
        } else if (text != null && !thought && s.text.length() < MAX_TEXT) {
            if (!s.text.isEmpty()) {
                s.text.append('\n');
            }
            s.text.append(text, 0, Math.min(text.length(), MAX_TEXT - s.text.length()));
        }
    }

    /** The images of one answer share one budget, so an answer of many images cannot hold more than one may. */
    private ImageBytes decode(JsonParser p, State s) throws IOException {
        ImageBytes.Sink sink = new ImageBytes.Sink(maxImageBytes - s.imageBytes);
        try {
            p.readBinaryValue(alphabet(s.recent.since(p.currentTokenLocation().getByteOffset(), SNIFF)), sink);
        } catch (ImageBytes.TooLarge e) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "the image data in the response is larger "
                    + "than imagefn.limits.max-image-bytes (" + maxImageBytes + ")");
        } catch (IllegalArgumentException e) {
            // Jackson's report of a character outside the alphabet.
            throw new IOException("the image data is not valid base64: " + e.getMessage(), e);
        }
        s.imageBytes += sink.length();
        return sink.toBytes();
    }

    /**
     * The alphabet of a base64 value from the part of it the parser has buffered: a '-' or '_' before any '+' or
     * '/' means URL-safe. A value whose buffered start has none of the four is read as standard.
     */
    static Base64Variant alphabet(byte[] start) {
        for (byte b : start) {
            if (b == '+' || b == '/') {
                return BASE64;
            }
            if (b == '-' || b == '_') {
                return BASE64_URL;
            }
            if (b == '"' && start[0] != b) {
                break;
            }
        }
        return BASE64;
    }

    /** Format from the bytes' magic number; a declared MIME type that disagrees is logged and overruled. */
    private static GeneratedImage image(ImageBytes data, String declaredMime) {
        byte[] head = data.head(64);
        ImageFormat format = ImageFormat.detect(head, head.length).orElseThrow(() -> new ImageFnException(
                ErrorCode.UPSTREAM_BAD_RESPONSE, "the response's image data is not a known image format (declared "
                        + (declaredMime == null ? "no type" : declaredMime) + ", " + data.length() + " bytes)"));
        ImageFormat declared = ImageFormat.ofMimeType(declaredMime).orElse(null);
        if (declared != format) {
            LOG.warnf("Gemini declared %s but the bytes are %s; storing as %s", declaredMime, format.mimeType(),
                    format.mimeType());
        }
        int[] wh = format.dimensions(data::at, data.length());
        boolean sized = format == ImageFormat.HEIC || format == ImageFormat.HEIF || wh[0] > 0 && wh[1] > 0;
        if (!sized || !format.ends(data::at, data.length())) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "the response's " + format.mimeType()
                    + " data is not a whole image (" + (sized ? "no end marker" : "no width and height in its header")
                    + ", " + data.length() + " bytes)");
        }
        return new GeneratedImage(format, data, wh[0], wh[1]);
    }

    private static void usage(JsonParser p, JsonToken v, State s) throws IOException {
        objectFields(p, v, f -> {
            switch (f) {
                case "prompttokencount" -> s.promptTokens = number(p);
                case "candidatestokencount" -> s.outputTokens = number(p);
                case "thoughtstokencount" -> s.thoughtTokens = number(p);
                case "candidatestokensdetails" -> {
                    if (p.currentToken() != JsonToken.START_ARRAY) {
                        p.skipChildren();
                        return;
                    }
                    JsonToken d;
                    long images = 0;
                    while ((d = p.nextToken()) != JsonToken.END_ARRAY) {
                        String[] modality = new String[1];
                        long[] count = new long[1];
                        objectFields(p, d, df -> {
                            switch (df) {
                                case "modality" -> modality[0] = string(p);
                                case "tokencount" -> count[0] = number(p);
                                default -> p.skipChildren();
                            }
                        });
                        if ("IMAGE".equalsIgnoreCase(modality[0])) {
                            images += count[0];
                        }
                    }
                    s.imageTokens = images;
                }
                default -> p.skipChildren();
            }
        });
    }

    private interface FieldHandler {
        /** Called with the parser on the field's value. */
        void field(String normalisedName) throws IOException;
    }

    private static void objectFields(JsonParser p, JsonToken v, FieldHandler handler) throws IOException {
        if (v != JsonToken.START_OBJECT) {
            p.skipChildren();
            return;
        }
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
            String name = normalise(p.currentName());
            p.nextToken();
            handler.field(name);
        }
        expect(p, t, JsonToken.END_OBJECT);
    }

    private static String string(JsonParser p) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_STRING) {
            return text(p);
        }
        p.skipChildren();
        return null;
    }

    /** A string value, cut to {@link #MAX_TEXT} characters. */
    private static String text(JsonParser p) throws IOException {
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            p.skipChildren();
            return null;
        }
        String value = p.getText();
        return value.length() > MAX_TEXT ? value.substring(0, MAX_TEXT) : value;
    }

    /** int64 values may arrive as JSON strings (proto3 JSON). */
    private static long number(JsonParser p) throws IOException {
        JsonToken v = p.currentToken();
        if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT && v != JsonToken.VALUE_STRING) {
            p.skipChildren();
            return 0;
        }
        try {
            return (long) Double.parseDouble(p.getText());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void expect(JsonParser p, JsonToken actual, JsonToken expected) throws IOException {
        if (actual != expected) {
            throw new IOException("expected " + expected + " but found " + actual + " at " + p.currentLocation()
                    .offsetDescription());
        }
    }

    /** {@code inlineData}, {@code inline_data} and {@code InlineData} all become {@code inlinedata}. */
    private static String normalise(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    private static final class State {
        final RecentBytes recent;
        final List<GeneratedImage> images = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
        long imageBytes;
        String finishReason;
        String finishMessage;
        String blockReason;
        String blockMessage;
        long promptTokens;
        long outputTokens;
        long imageTokens;
        long thoughtTokens;
        String modelVersion;
        String responseId;

        State(RecentBytes recent) {
            this.recent = recent;
        }
    }
}
