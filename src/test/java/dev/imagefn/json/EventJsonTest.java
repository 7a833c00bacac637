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
                                    {"data":"AQID-_8"}]}
                """);
        assertEquals("p", r.prompt());
        assertEquals("512", r.imageSize());
        assertEquals(7, r.seed());
        assertEquals("1", r.metadata().get("n"));
        assertTrue(r.includeText() && r.grounding() && r.presign());
        assertEquals(new ReferenceImage.Stored("bucket", "dir/key.png"), r.referenceImages().get(0));
        assertArrayEquals(new byte[] {1, 2, 3}, ((ReferenceImage.Inline) r.referenceImages().get(1)).data());
        assertArrayEquals(new byte[] {1, 2, 3, (byte) 0xfb, (byte) 0xff},
                ((ReferenceImage.Inline) r.referenceImages().get(2)).data(), "URL-safe base64 accepted");
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
}
