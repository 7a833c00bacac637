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
}
