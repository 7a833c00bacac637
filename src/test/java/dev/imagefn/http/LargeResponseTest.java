package dev.imagefn.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Real-sized and oddly shaped answers. */
@QuarkusTest
class LargeResponseTest extends HttpTestBase {

    @Test
    void a4kResponseOfTwentyMillionBase64CharactersIsStoredIntact() {
        gemini().enqueue(Reply.image().padTo(15_000_000));
        String key = post("{\"prompt\":\"huge\",\"aspectRatio\":\"1:1\",\"imageSize\":\"4K\"}").statusCode(200)
                .body("width", equalTo(4096)).body("height", equalTo(4096)).body("bytes", equalTo(15_000_000))
                .extract().path("key");
        byte[] sent = gemini().lastFinalImages().get(0);
        assertTrue(sent.length * 4L / 3 >= 20_000_000, "the base64 text must pass Jackson's 20 M default limit");
        assertArrayEquals(sent, object(key));
    }

    @Test
    void a4kJpegWithPaddingIsStoredIntact() {
        gemini().enqueue(Reply.image().mimeType("image/jpeg").padTo(6_000_000));
        String key = post("{\"prompt\":\"big jpeg\",\"aspectRatio\":\"16:9\",\"imageSize\":\"4K\"}").statusCode(200)
                .body("width", equalTo(5504)).body("height", equalTo(3072)).body("mimeType", equalTo("image/jpeg"))
                .extract().path("key");
        assertArrayEquals(gemini().lastFinalImages().get(0), object(key));
    }

    @Test
    void urlSafeSnakeCaseAndArrayWrappedAnswersAreRead() {
        gemini().enqueue(Reply.image().urlSafeBase64().snakeCase().arrayWrapped());
        String key = post("{\"prompt\":\"odd shape\"}").statusCode(200).extract().path("key");
        assertArrayEquals(gemini().lastFinalImages().get(0), object(key));
    }

    @Test
    void theBytesDecideTheTypeWhenTheDeclaredMimeTypeIsWrong() {
        gemini().enqueue(Reply.image().mimeType("image/jpeg").declaredMimeType("image/png"));
        post("{\"prompt\":\"mislabelled\"}").statusCode(200).body("mimeType", equalTo("image/jpeg"))
                .body("key", org.hamcrest.Matchers.endsWith(".jpg"));
    }

    @Test
    void anAnswerWhoseOnlyImageIsAThoughtIsNoImageAndStoresNothing() {
        gemini().enqueue(Reply.image().lastImageMarkedThought());
        assertNoObjectLeft(() -> post("{\"prompt\":\"marked\"}").statusCode(502).body("code", equalTo("NO_IMAGE")));
    }
}
