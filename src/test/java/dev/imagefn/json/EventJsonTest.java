package dev.imagefn.json;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ReferenceImage;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EventJsonTest {
    private final EventJson json = new EventJson(1 << 20, 1000);

    private ImageRequest read(String s) {
        return json.read(s.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsEveryField() {
        ImageRequest r = read("""
                {"prompt":"p","model":"m","aspectRatio":"1:1","imageSize":512,"includeText":true,"thinking":"high",
                 "grounding":true,"seed":7,"key":"k.png","idempotencyKey":"i","metadata":{"a":"b","n":1},"presign":true,
                 "referenceImages":[{"uri":"s3://bucket/dir/key.png"},{"mimeType":"image/png","data":"AQID"},
                                    {"data":"AQID+/8"},{"data":"AQID+/8="},{"data":"AQID\nAQID"}]}
                """);
        assertEquals("p", r.prompt());
        assertEquals("512", r.imageSize());
        assertEquals(7, r.seed());
        assertEquals("1", r.metadata().get("n"));
        assertTrue(r.includeText() && r.grounding() && r.presign());
        assertEquals(new ReferenceImage.Stored("bucket", "dir/key.png"), r.referenceImages().get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, ((ReferenceImage.Inline) r.referenceImages().get(1)).data());
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xfb, (byte) 0xff},
                ((ReferenceImage.Inline) r.referenceImages().get(2)).data(), "padding optional");
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xfb, (byte) 0xff},
                ((ReferenceImage.Inline) r.referenceImages().get(3)).data());
        assertArrayEquals(new byte[] {1, 2, 3, 1, 2, 3}, ((ReferenceImage.Inline) r.referenceImages().get(4)).data(),
                "an escaped line break between groups is skipped");
    }

    @Test
    void nullMeansAbsent() {
        ImageRequest r = read("{\"prompt\":\"p\",\"model\":null,\"seed\":null}");
        assertEquals(null, r.model());
        assertEquals(null, r.seed());
    }

    @Test
    void clearErrors() {
        assertEquals("'seed' must be an integer", assertThrows(ImageFnException.class,
                () -> read("{\"prompt\":\"p\",\"seed\":\"7\"}")).detail());
        assertTrue(assertThrows(ImageFnException.class, () -> read("{\"prompt\":\"p\",\"colour\":1}")).detail()
                .contains("unknown field 'colour'"));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, assertThrows(ImageFnException.class,
                () -> read("{\"prompt\":\"p\",\"referenceImages\":[{\"data\":\"" + "A".repeat(2000) + "\"}]}")).code());
        assertTrue(assertThrows(ImageFnException.class, () -> read("{\"prompt\":\"p\"")).detail()
                .startsWith("the body is not valid JSON"));
        assertThrows(ImageFnException.class, () -> read(""));
    }

    private static void assertInvalid(ImageFnException e) {
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), e.detail());
    }

    @Test
    void duplicateFieldsAreRefused() {
        for (String body : new String[] {"{\"prompt\":\"a\",\"prompt\":\"b\"}",
                "{\"prompt\":\"a\",\"metadata\":{\"k\":\"1\",\"k\":\"2\"}}",
                "{\"prompt\":\"a\",\"referenceImages\":[{\"uri\":\"s3://refs/a.png\",\"uri\":\"s3://refs/b.png\"}]}"}) {
            ImageFnException e = assertThrows(ImageFnException.class, () -> read(body), body);
            assertInvalid(e);
            assertTrue(e.detail().contains("twice"), e.detail());
        }
    }

    /** Only a short, name-like field name is ever repeated back (so that a typo can be spotted). */
    @Test
    void errorsNeverQuoteTheBody() {
        for (String body : new String[] {"{\"prompt\":\"p\"} SECRETWORD", "{\"prompt\":SECRETWORD}",
                "{\"prompt\":\"p\",SECRETWORD:1}", "{\"prompt\":\"p\"}{\"SECRETWORD\":1}", "SECRETWORD",
                "{\"prompt\":\"p\",\"seed\":1SECRETWORD}", "{\"prompt\":\"SECRETWORD", "{\"prompt\":\"p\\qSECRETWORD\"}",
                "{\"prompt\":\"p\",\"SECRETWORD with spaces\":1}", "{\"prompt\":\"p\",\"metadata\":{\"SECRETWORD\\nline\":[1]}}",
                "{\"prompt\":\"p\",\"" + "SECRETWORD".repeat(10) + "\":1}"}) {
            ImageFnException e = assertThrows(ImageFnException.class, () -> read(body), body);
            assertInvalid(e);
            assertTrue(!e.detail().contains("SECRETWORD"), body + " -> " + e.detail());
            assertTrue(e.detail().length() <= 200, e.detail());
        }
    }

    @Test
    void theStreamIsCountedAgainstTheBodyLimit() {
        EventJson small = new EventJson(100, 1000);
        String body = " ".repeat(200) + "{\"prompt\":\"p\"}";
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> small.read(new java.io.ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8))));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, assertThrows(ImageFnException.class,
                () -> small.read(body.getBytes(StandardCharsets.UTF_8))).code());
        assertEquals("p", small.read(new java.io.ByteArrayInputStream(
                ("{\"prompt\":\"p\"}" + " ".repeat(85)).getBytes(StandardCharsets.UTF_8))).prompt(), "100 bytes fit");
    }

    @Test
    void referenceUrisAreBucketAndKeyOnly() {
        for (String uri : new String[] {"s3://allowed/../private/x.png", "s3://allowed/./x.png", "s3://allowed/a//b.png",
                "s3://allowed/a/", "s3://allowed/a\\\\b.png", "s3://allowed/a\\u0001.png", "s3://allowed/a\\u0085.png",
                "s3://allowed/a\\u202e.png", "s3://allowed/\\ud800.png", "s3://Allowed/x.png", "s3://al_lowed/x.png",
                "s3://ab/x.png", "s3://-allowed/x.png", "s3://allowed-/x.png", "s3://al..lowed/x.png",
                "s3://192.168.1.1/x.png", "s3://allowed:9000/x.png", "s3://allowed/", "s3://allowed"}) {
            String body = "{\"prompt\":\"p\",\"referenceImages\":[{\"uri\":\"" + uri + "\"}]}";
            ImageFnException e = assertThrows(ImageFnException.class, () -> read(body), uri);
            assertInvalid(e);
            assertTrue(e.detail().startsWith("referenceImages[0].uri"), e.detail());
        }
        assertEquals(new ReferenceImage.Stored("my.bucket-1", "a/b c/\u00e9.png"), read(
                "{\"prompt\":\"p\",\"referenceImages\":[{\"uri\":\"s3://my.bucket-1/a/b c/\u00e9.png\"}]}")
                .referenceImages().get(0));
    }

    @Test
    void onlyStandardBase64IsAccepted() {
        for (String data : new String[] {"AQID-_8", "data:image/png;base64,AQID", "AQ*D", "AQIDA"}) {
            ImageFnException e = assertThrows(ImageFnException.class,
                    () -> read("{\"prompt\":\"p\",\"referenceImages\":[{\"data\":\"" + data + "\"}]}"), data);
            assertInvalid(e);
            assertEquals("referenceImages[0].data is not valid base64 (standard alphabet, no data: URL prefix)", e.detail());
        }
    }

    @Test
    void inlineReferencesHaveATotalLimit() {
        EventJson limited = new EventJson(limits(1 << 20, 1000, 2500));
        String ref = "{\"data\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[900]) + "\"}";
        assertEquals(2, limited.read(("{\"prompt\":\"p\",\"referenceImages\":[" + ref + "," + ref + "]}")
                .getBytes(StandardCharsets.UTF_8)).referenceImages().size());
        ImageFnException e = assertThrows(ImageFnException.class, () -> limited.read(
                ("{\"prompt\":\"p\",\"referenceImages\":[" + ref + "," + ref + "," + ref + "]}").getBytes(StandardCharsets.UTF_8)));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertTrue(e.detail().contains("max-inline-reference-bytes"), e.detail());
        String big = "{\"data\":\"" + java.util.Base64.getEncoder().encodeToString(new byte[1001]) + "\"}";
        assertTrue(assertThrows(ImageFnException.class, () -> limited.read(
                ("{\"prompt\":\"p\",\"referenceImages\":[" + big + "]}").getBytes(StandardCharsets.UTF_8)))
                .detail().contains("referenceImages[0] is larger than the limit of 1000 bytes"));
    }

    /** A stream that fails the test if it is read past {@code allowed} bytes: the reader must stop at the limit. */
    @Test
    void aBodyOverTheLimitIsNotReadToTheEnd() {
        byte[] prefix = "{\"prompt\":\"".getBytes(StandardCharsets.UTF_8);
        java.io.InputStream endless = new java.io.InputStream() {
            long served;

            @Override
            public int read() {
                assertTrue(served < 200_000, "read far past the limit");
                return served < prefix.length ? prefix[(int) served++] : (int) (served++ % 26) + 'a';
            }
        };
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> new EventJson(limits(100_000, 1000, 1000)).read(endless));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
    }

    /** Inline base64 is decoded from the stream: an oversized image fails within a few KiB, not at the body limit. */
    @Test
    void inlineBase64IsDecodedAsItStreams() {
        byte[] prefix = "{\"prompt\":\"p\",\"referenceImages\":[{\"data\":\"".getBytes(StandardCharsets.UTF_8);
        long[] served = {0};
        java.io.InputStream endless = new java.io.InputStream() {
            @Override
            public int read() {
                return served[0] < prefix.length ? prefix[(int) served[0]++] : (served[0]++ % 4 == 0 ? 'Q' : 'A');
            }
        };
        ImageFnException e = assertThrows(ImageFnException.class,
                () -> new EventJson(limits(50_000_000, 1000, 1000)).read(endless));
        assertEquals(ErrorCode.PAYLOAD_TOO_LARGE, e.code());
        assertTrue(served[0] < 64 * 1024, "read " + served[0] + " bytes for a 1000-byte image limit");
    }

    private static dev.imagefn.config.ImagefnConfig.Limits limits(long body, long reference, long inline) {
        return dev.imagefn.testing.TestConfig.of(java.util.Map.of("limits.max-body-bytes", Long.toString(body),
                "limits.max-reference-bytes", Long.toString(reference), "limits.max-inline-reference-bytes",
                Long.toString(inline), "limits.max-prompt-chars", "1000000")).limits();
    }
}
