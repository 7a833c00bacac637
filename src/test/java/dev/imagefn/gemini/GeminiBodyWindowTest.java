package dev.imagefn.gemini;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The function reads Gemini's answers through {@link ResponseBodyStream}, not the REST client's own stream. */
@QuarkusTest
class GeminiBodyWindowTest extends HttpTestBase {

    @Test
    void anAnswerIsReadThroughTheWindowedStream() {
        gemini().enqueue(Reply.image().padTo(5_000_000));
        long before = ResponseBodyStream.tapped();
        String key = post("{\"prompt\":\"windowed\",\"imageSize\":\"2K\"}").statusCode(200).extract().path("key");
        assertEquals(before + 1, ResponseBodyStream.tapped(), "the answer was read by the REST client's stream");
        assertArrayEquals(gemini().lastFinalImages().get(0), object(key));
    }

    @Test
    void anExchangeAbandonedAtTheDeadlineIsCancelledNotLeftToFinish() throws Exception {
        gemini().enqueue(Reply.image().padTo(2_000_000).delay(Duration.ofMillis(1500)));
        long before = ResponseBodyStream.tapped();
        given().contentType("application/json").header("X-Timeout-Ms", "500").body("{\"prompt\":\"late\"}")
                .when().post("/v1/images").then().statusCode(504);
        Thread.sleep(2500); // the late answer has been sent by now
        assertEquals(before, ResponseBodyStream.tapped(), "Gemini's late answer reached the function");
        assertEquals(1, gemini().calls());
    }
}
