package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.testing.TestImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class GeminiResponseReaderTest {
    private static final byte[] PNG = TestImages.png(2752, 1536, 0x123456, 0);
    private static final byte[] DRAFT = TestImages.jpeg(64, 64, 0x808080, 0);
    /** A PNG with a chunk of noise, so its base64 has every character of the alphabet. */
    private static final byte[] NOISY = TestImages.png(2752, 1536, 0x123456, PNG.length + 30_000);
    private final GeminiResponseReader reader = new GeminiResponseReader(64L << 20, 8);

    private GeminiResponse read(String json) throws IOException {
        return reader.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    private static String b64(byte[] b) {
        return Base64.getEncoder().encodeToString(b);
    }

    @Test
    void keepsTheFinalImageAndSkipsThoughts() throws IOException {
        GeminiResponse r = read("""
                {"candidates":[{"content":{"role":"model","parts":[
                  {"text":"**Planning**","thought":true},
                  {"inlineData":{"mimeType":"image/jpeg","data":"%s"},"thought":true},
                  {"text":"Here it is.","thoughtSignature":"CtgB"},
                  {"inlineData":{"mimeType":"image/png","data":"%s"},"thoughtSignature":"EqQC"}]},
                  "finishReason":"STOP","index":0}],
                 "usageMetadata":{"promptTokenCount":18,"candidatesTokenCount":1690,"thoughtsTokenCount":246,
                  "candidatesTokensDetails":[{"modality":"TEXT","tokenCount":10},{"modality":"IMAGE","tokenCount":1680}]},
                 "modelVersion":"gemini-3.1-flash-image","responseId":"abc"}
                """.formatted(b64(DRAFT), b64(PNG)));
        assertEquals(1, r.images().size());
        assertArrayEquals(PNG, r.images().get(0).bytes().toArray());
        assertEquals(ImageFormat.PNG, r.images().get(0).format());
        assertEquals(2752, r.images().get(0).width());
        assertEquals(1536, r.images().get(0).height());
        assertEquals("Here it is.", r.text());
        assertEquals(1680, r.usage().imageTokens());
        assertEquals(246, r.usage().thoughtTokens());
        assertEquals(18, r.usage().promptTokens());
        assertEquals("gemini-3.1-flash-image", r.modelVersion());
    }

    @Test
    void aThoughtImageIsNeverDeliveredWhereverItsFlagStands() throws IOException {
        GeminiResponse r = read("{\"candidates\":[{\"content\":{\"parts\":["
                + "{\"thought\":true,\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"!!not base64, never decoded\"}},"
                + "{\"inlineData\":{\"mimeType\":\"image/jpeg\",\"data\":\"" + b64(DRAFT) + "\"},\"thought\":true}]}}]}");
        assertEquals(0, r.images().size());
    }

    @Test
    void longTextIsCutNotFatal() throws IOException {
        String text = "x".repeat(3 << 20);
        GeminiResponse r = read("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + text + "\"},"
                + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG) + "\"}}]}}]}");
        assertEquals(1 << 20, r.text().length());
        assertEquals(1, r.images().size());
    }

    /** Many text parts, each under the cut: the answer's text together is cut to the same length. */
    @Test
    void theTextOfManyPartsIsCutTogether() throws IOException {
        String part = "{\"text\":\"" + "y".repeat(900_000) + "\"},";
        GeminiResponse r = read("{\"candidates\":[{\"content\":{\"parts\":[" + part.repeat(8)
                + "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG) + "\"}}]}}]}");
        assertEquals(1 << 20, r.text().length());
        assertEquals(1, r.images().size());
    }

    /**
     * imagefn.limits.max-image-bytes bounds the images of one answer together: each image under it, but many of
     * them (in one candidate, or over the responses of an array), is refused, not held.
     */
    @Test
    void manyImagesEachUnderTheLimitAreRefusedTogether() throws IOException {
        GeminiResponseReader small = new GeminiResponseReader(PNG.length * 3L, 8);
        String image = "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG) + "\"}}";
        String three = "{\"candidates\":[{\"content\":{\"parts\":[" + image + "," + image + "," + image + "]}}]}";
        assertEquals(3, small.read(new ByteArrayInputStream(three.getBytes(StandardCharsets.UTF_8))).images().size());
        for (String json : new String[] {
                "{\"candidates\":[{\"content\":{\"parts\":[" + (image + ",").repeat(3) + image + "]}}]}",
                "[" + three + ",{\"candidates\":[{\"content\":{\"parts\":[" + image + "]}}]}]"}) {
            ImageFnException e = assertThrows(ImageFnException.class,
                    () -> small.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8))));
            assertEquals(ErrorCode.UPSTREAM_BAD_RESPONSE, e.code());
            assertTrue(e.detail().contains("max-image-bytes"), e.detail());
        }
    }

    private static String answer(String... data) {
        StringBuilder parts = new StringBuilder();
        for (String d : data) {
            parts.append(parts.isEmpty() ? "" : ",").append("{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"")
                    .append(d).append("\"}}");
        }
        return "{\"candidates\":[{\"content\":{\"parts\":[" + parts + "]}}]}";
    }

    private void refused(String json, String detail) {
        ImageFnException e = assertThrows(ImageFnException.class, () -> read(json));
        assertEquals(ErrorCode.UPSTREAM_BAD_RESPONSE, e.code());
        assertTrue(e.detail().contains(detail), e.detail());
    }

    /** A magic number alone is no image: a header without a size, or an image cut short, is a bad response. */
    @Test
    void onlyWholeImagesAreDelivered() throws IOException {
        byte[] jpeg = TestImages.jpeg(64, 48, 0x336699, 0);
        refused(answer(b64(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff})), "no width and height");
        refused(answer(b64(new byte[] {(byte) 0xff, (byte) 0xd8, (byte) 0xff, 'h', 'e', 'l', 'l', 'o'})),
                "no width and height");
        refused(answer(b64(java.util.Arrays.copyOf(PNG, PNG.length - 12))), "no end marker");
        refused(answer(b64(java.util.Arrays.copyOf(jpeg, jpeg.length - 2))), "no end marker");
        refused(answer(b64(java.util.Arrays.copyOf(PNG, 33))), "not a whole image");
        byte[] padded = java.util.Arrays.copyOf(jpeg, jpeg.length + 16);
        GeminiResponse r = read(answer(b64(jpeg), b64(padded)));
        assertEquals(2, r.images().size());
        assertEquals(64, r.images().get(1).width());
        assertEquals(48, r.images().get(1).height());
    }

    /** imagefn.limits.max-images-per-answer: an answer of many small images is refused, not stored image by image. */
    @Test
    void anAnswerOfTooManyImagesIsRefused() throws IOException {
        String one = b64(TestImages.png(2, 2, 0x010203, 0));
        String[] eight = new String[8];
        java.util.Arrays.fill(eight, one);
        assertEquals(8, read(answer(eight)).images().size());
        String[] nine = java.util.Arrays.copyOf(eight, 9);
        nine[8] = one;
        refused(answer(nine), "more than 8 images");
    }

    @Test
    void aLimitOfNoImagesIsRefusedAtStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> new GeminiResponseReader(1024, 0));
        assertTrue(e.getMessage().contains("max-images-per-answer"), e.getMessage());
    }

    /** Small images hold their own bytes, not a decoding block each (256 KiB for a 100-byte image). */
    @Test
    void aSmallImageHoldsOnlyItsBytes() throws Exception {
        byte[] tiny = TestImages.png(2, 2, 0x010203, 0);
        GeminiResponse r = read(answer(b64(tiny)));
        java.lang.reflect.Field f = dev.imagefn.core.ImageBytes.class.getDeclaredField("blocks");
        f.setAccessible(true);
        long held = 0;
        for (Object block : (java.util.List<?>) f.get(r.images().get(0).bytes())) {
            held += ((byte[]) block).length;
        }
        assertEquals(tiny.length, held);
        assertArrayEquals(tiny, r.images().get(0).bytes().toArray());
    }

    @Test
    void acceptsSnakeCaseBase64WithoutPaddingAndArrays() throws IOException {
        String unpadded = Base64.getEncoder().withoutPadding().encodeToString(PNG);
        GeminiResponse r = read("[{\"candidates\":[{\"content\":{\"parts\":[{\"inline_data\":{\"mime_type\":\"image/png\","
                + "\"data\":\"" + unpadded + "\"}}]},\"finish_reason\":\"STOP\"}],\"usage_metadata\":{\"prompt_token_count\":\"7\"}}]");
        assertArrayEquals(PNG, r.images().get(0).bytes().toArray());
        assertEquals("STOP", r.finishReason());
        assertEquals(7, r.usage().promptTokens());
    }

    @Test
    void acceptsUrlSafeBase64WhereverTheValueStartsInTheStream() throws IOException {
        String urlSafe = Base64.getUrlEncoder().withoutPadding().encodeToString(NOISY);
        assertEquals(true, urlSafe.indexOf('-') > 0 && urlSafe.indexOf('_') > 0);
        for (String before : new String[] {"", "x".repeat(7_990), "x".repeat(100_000)}) {
            GeminiResponse r = read("[{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"" + before + "\"},"
                    + "{\"inline_data\":{\"mime_type\":\"image/png\",\"data\":\"" + urlSafe + "\"}}]}}]}]");
            assertArrayEquals(NOISY, r.images().get(0).bytes().toArray(), "after " + before.length() + " characters");
        }
    }

    @Test
    void aValueMixingBothAlphabetsIsRefused() {
        String mixed = "+" + Base64.getUrlEncoder().encodeToString(NOISY).substring(1);
        assertThrows(IOException.class, () -> read("{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":"
                + "{\"mimeType\":\"image/png\",\"data\":\"" + mixed + "\"}}]}}]}"));
    }

    @Test
    void malformedJsonIsRefused() {
        String image = "{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\"" + b64(PNG) + "\"}}";
        // Each is one missing comma or colon away from a valid answer with an image.
        assertThrows(IOException.class, () -> read("{\"candidates\":[{\"content\":{\"parts\":[" + image
                + "]}}] \"modelVersion\":\"m\"}"));
        assertThrows(IOException.class, () -> read("{\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"hi\"} "
                + image + "]}}]}"));
        assertThrows(IOException.class, () -> read("{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":"
                + "{\"mimeType\":\"image/png\" \"data\":\"" + b64(PNG) + "\"}}]}}]}"));
        assertThrows(IOException.class, () -> read("{\"candidates\" [{\"content\":{\"parts\":[" + image + "]}}]}"));
    }

    @Test
    void aBase64ValueLongerThanJacksonsStringLimitStreams() throws IOException {
        // A 4K-sized answer: ~21 MB of image (a padded PNG), ~28 M base64 characters, past Jackson's 20 M default string limit.
        byte[] big = TestImages.png(2752, 1536, 0x123456, 21_500_000);
        String data = b64(big);
        assertEquals(true, data.length() > 28_000_000);
        GeminiResponse r = read("{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\","
                + "\"data\":\"" + data + "\"}}]}}]}");
        assertEquals(big.length, r.images().get(0).bytes().length());
        assertEquals(java.util.HexFormat.of().formatHex(dev.imagefn.core.Hashes.sha256(big, big.length)), r.images().get(0).bytes().sha256Hex());
    }

    @Test
    void decodesBase64WithLineBreaksAndEscapedSlashes() throws IOException {
        String mime = Base64.getMimeEncoder().encodeToString(PNG).replace("\r\n", "\\n").replace("/", "\\/");
        GeminiResponse r = read("{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"data\":\"" + mime
                + "\",\"mimeType\":\"image/png\"}}]}}]}");
        assertArrayEquals(PNG, r.images().get(0).bytes().toArray());
    }

    @Test
    void blockedPromptAndBlockedOutput() throws IOException {
        GeminiResponse prompt = read("{\"promptFeedback\":{\"blockReason\":\"PROHIBITED_CONTENT\"},\"usageMetadata\":{}}");
        assertEquals("PROHIBITED_CONTENT", prompt.blockReason());
        GeminiResponse output = read("{\"candidates\":[{\"content\":{\"role\":\"model\"},\"finishReason\":\"IMAGE_SAFETY\","
                + "\"finishMessage\":\"no\"}]}");
        assertEquals("IMAGE_SAFETY", output.finishReason());
        assertEquals("no", output.finishMessage());
        assertEquals(0, output.images().size());
        assertNull(output.text());
    }

    @Test
    void truncatedOrInvalidInputFails() {
        String whole = "{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\""
                + b64(PNG) + "\"}}]}}]}";
        assertThrows(IOException.class, () -> read(whole.substring(0, whole.length() / 2)));
        assertThrows(IOException.class, () -> read(whole.substring(0, whole.length() - 3)));
        assertThrows(IOException.class, () -> read(whole.replace(b64(PNG).substring(100, 104), "!!!!")));
        assertThrows(IOException.class, () -> read("{\"candidates\":[}"));
    }

    @Test
    void decodesFromAStreamThatArrivesInSmallPieces() throws IOException {
        byte[] body = ("{\"candidates\":[{\"content\":{\"parts\":[{\"inlineData\":{\"mimeType\":\"image/png\",\"data\":\""
                + b64(PNG) + "\"}}]}}]}").getBytes(StandardCharsets.US_ASCII);
        InputStream trickle = new ByteArrayInputStream(body) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, 7));
            }
        };
        assertArrayEquals(PNG, reader.read(trickle).images().get(0).bytes().toArray());
    }
}
