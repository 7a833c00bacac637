package dev.imagefn.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@code imagefn.limits.max-answer-bytes} (Cloud Run's 32 MiB in its deploy file): a {@code b64_json} answer that
 * would pass it is given as urls on the HTTP server too, as on Lambda; an answer Cloud Run refuses is a 500 the
 * SDKs retry, paying again.
 */
@QuarkusTest
@TestProfile(OpenAiAnswerLimitTest.SmallAnswers.class)
class OpenAiAnswerLimitTest extends HttpTestBase {

    public static class SmallAnswers implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.limits.max-answer-bytes", "1000000");
        }
    }

    @Test
    void aB64AnswerOverTheLimitIsGivenAsUrls() {
        gemini().enqueue(Reply.image().padTo(900_000));
        given().contentType("application/json").body("{\"prompt\":\"big\",\"response_format\":\"b64_json\"}")
                .when().post("/v1/images/generations").then().statusCode(200)
                .header("X-Imagefn-Response-Format", "url")
                .body("data[0]", not(hasKey("b64_json"))).body("data[0].url", notNullValue());
        gemini().enqueue(Reply.image().padTo(100_000));
        given().contentType("application/json").body("{\"prompt\":\"small\",\"response_format\":\"b64_json\"}")
                .when().post("/v1/images/generations").then().statusCode(200)
                .body("data[0].b64_json", notNullValue()).body("data.size()", equalTo(1));
    }
}
