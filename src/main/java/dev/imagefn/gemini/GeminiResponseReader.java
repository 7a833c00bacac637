package dev.imagefn.gemini;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.Usage;
import dev.imagefn.gemini.JsonStreamReader.Token;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jboss.logging.Logger;

/**
 * Reads a {@code GenerateContentResponse} from the wire as it arrives: image data is decoded from base64
 * straight into {@link ImageBytes}; the body is never held as a String or a tree. Accepts camelCase and
 * snake_case names and a top-level array of responses (stream chunks). Thought (draft) images are never
 * delivered (docs/gemini.md, The response); their data is not even decoded when {@code thought} comes first.
 */
final class GeminiResponseReader {
    private static final Logger LOG = Logger.getLogger(GeminiResponseReader.class);
    private static final int MAX_TEXT = 1 << 20;

    private final long maxImageBytes;

    GeminiResponseReader(long maxImageBytes) {
        this.maxImageBytes = maxImageBytes;
    }

    GeminiResponse read(InputStream body) throws IOException {
        JsonStreamReader json = new JsonStreamReader(body, MAX_TEXT);
        State state = new State();
        Token first = json.next();
        if (first == Token.START_ARRAY) {
            Token t;
            while ((t = json.next()) != Token.END_ARRAY) {
                expect(json, t, Token.START_OBJECT);
                response(json, state);
            }
        } else {
            expect(json, first, Token.START_OBJECT);
            response(json, state);
        }
        if (json.next() != Token.EOF) {
            throw json.error("content after the end of the response");
        }
        return new GeminiResponse(List.copyOf(state.images), state.text.isEmpty() ? null
                : state.text.toString(), state.finishReason, state.finishMessage, state.blockReason,
                state.blockMessage, new Usage(state.promptTokens, state.outputTokens, state.imageTokens,
                        state.thoughtTokens), state.modelVersion, state.responseId);
    }

    private void response(JsonStreamReader json, State s) throws IOException {
        Token t;
        while ((t = json.next()) == Token.FIELD) {
            String name = normalise(json.field());
            Token v = json.next();
            switch (name) {
                case "candidates" -> {
                    expect(json, v, Token.START_ARRAY);
                    int index = 0;
                    while ((v = json.next()) != Token.END_ARRAY) {
                        expect(json, v, Token.START_OBJECT);
                        if (index++ == 0) {
                            candidate(json, s);
                        } else {
                            json.skipValue(v);
                        }
                    }
                }
                case "promptfeedback" -> objectFields(json, v, (f, fv) -> {
                    switch (f) {
                        case "blockreason" -> s.blockReason = string(json, fv);
                        case "blockreasonmessage" -> s.blockMessage = string(json, fv);
                        default -> json.skipValue(fv);
                    }
                });
                case "usagemetadata" -> usage(json, v, s);
                case "modelversion" -> s.modelVersion = string(json, v);
                case "responseid" -> s.responseId = string(json, v);
                default -> json.skipValue(v);
            }
        }
        expect(json, t, Token.END_OBJECT);
    }

    private void candidate(JsonStreamReader json, State s) throws IOException {
        Token t;
        while ((t = json.next()) == Token.FIELD) {
            String name = normalise(json.field());
            Token v = json.next();
            switch (name) {
                case "content" -> objectFields(json, v, (f, fv) -> {
                    if (f.equals("parts") && fv == Token.START_ARRAY) {
                        Token p;
                        while ((p = json.next()) != Token.END_ARRAY) {
                            expect(json, p, Token.START_OBJECT);
                            part(json, s);
                        }
                    } else {
                        json.skipValue(fv);
                    }
                });
                case "finishreason" -> s.finishReason = string(json, v);
                case "finishmessage" -> s.finishMessage = string(json, v);
                default -> json.skipValue(v);
            }
        }
        expect(json, t, Token.END_OBJECT);
    }

    private void part(JsonStreamReader json, State s) throws IOException {
        boolean thought = false;
        String text = null;
        String declaredMime = null;
        ImageBytes data = null;
        Token t;
        while ((t = json.next()) == Token.FIELD) {
            String name = normalise(json.field());
            Token v = json.next();
            switch (name) {
                case "thought" -> thought = v == Token.TRUE;
                case "text" -> text = string(json, v);
                case "inlinedata" -> {
                    expect(json, v, Token.START_OBJECT);
                    Token f;
                    while ((f = json.next()) == Token.FIELD) {
                        String field = normalise(json.field());
                        Token fv = json.next();
                        if (field.equals("mimetype")) {
                            declaredMime = string(json, fv);
                        } else if (field.equals("data") && fv == Token.STRING && !thought) {
                            data = decode(json);
                        } else {
                            json.skipValue(fv);
                        }
                    }
                    expect(json, f, Token.END_OBJECT);
                }
                default -> json.skipValue(v);
            }
        }
        expect(json, t, Token.END_OBJECT);
        if (data != null && !thought) {
            s.images.add(image(data, declaredMime));
        } else if (text != null && !thought) {
            if (!s.text.isEmpty()) {
                s.text.append('\n');
            }
            s.text.append(text);
        }
    }

    private ImageBytes decode(JsonStreamReader json) throws IOException {
        ImageBytes.Sink sink = new ImageBytes.Sink(maxImageBytes);
        try {
            json.decodeBase64(sink);
        } catch (ImageBytes.TooLarge e) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE,
                    "an image in the response is larger than imagefn.limits.max-image-bytes (" + maxImageBytes + ")");
        }
        return sink.toBytes();
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
        return new GeneratedImage(format, data, wh[0], wh[1]);
    }

    private static void usage(JsonStreamReader json, Token v, State s) throws IOException {
        objectFields(json, v, (f, fv) -> {
            switch (f) {
                case "prompttokencount" -> s.promptTokens = number(json, fv);
                case "candidatestokencount" -> s.outputTokens = number(json, fv);
                case "thoughtstokencount" -> s.thoughtTokens = number(json, fv);
                case "candidatestokensdetails" -> {
                    if (fv != Token.START_ARRAY) {
                        json.skipValue(fv);
                        return;
                    }
                    Token d;
                    long images = 0;
                    while ((d = json.next()) != Token.END_ARRAY) {
                        String[] modality = new String[1];
                        long[] count = new long[1];
                        objectFields(json, d, (df, dv) -> {
                            switch (df) {
                                case "modality" -> modality[0] = string(json, dv);
                                case "tokencount" -> count[0] = number(json, dv);
                                default -> json.skipValue(dv);
                            }
                        });
                        if ("IMAGE".equalsIgnoreCase(modality[0])) {
                            images += count[0];
                        }
                    }
                    s.imageTokens = images;
                }
                default -> json.skipValue(fv);
            }
        });
    }

    private interface FieldHandler {
        void field(String normalisedName, Token value) throws IOException;
    }

    private static void objectFields(JsonStreamReader json, Token v, FieldHandler handler) throws IOException {
        if (v != Token.START_OBJECT) {
            json.skipValue(v);
            return;
        }
        Token t;
        while ((t = json.next()) == Token.FIELD) {
            String name = normalise(json.field());
            handler.field(name, json.next());
        }
        expect(json, t, Token.END_OBJECT);
    }

    private static String string(JsonStreamReader json, Token v) throws IOException {
        if (v == Token.STRING) {
            return json.string();
        }
        json.skipValue(v);
        return null;
    }

    /** int64 values may arrive as JSON strings (proto3 JSON). */
    private static long number(JsonStreamReader json, Token v) throws IOException {
        String text = v == Token.NUMBER ? json.number() : v == Token.STRING ? json.string() : null;
        if (text == null) {
            json.skipValue(v);
            return 0;
        }
        try {
            return (long) Double.parseDouble(text);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static void expect(JsonStreamReader json, Token actual, Token expected) throws IOException {
        if (actual != expected) {
            throw json.error("expected " + expected + " but found " + actual);
        }
    }

    /** {@code inlineData}, {@code inline_data} and {@code InlineData} all become {@code inlinedata}. */
    private static String normalise(String name) {
        return name.replace("_", "").toLowerCase(Locale.ROOT);
    }

    private static final class State {
        final List<GeneratedImage> images = new ArrayList<>();
        final StringBuilder text = new StringBuilder();
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
    }
}
