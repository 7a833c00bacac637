package dev.imagefn.lifecycle;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code imagefn.gemini.fallback-to-successor=true}: a retired model is retried once on its successor. */
@QuarkusTest
@TestProfile(FallbackToSuccessorTest.Fallback.class)
class FallbackToSuccessorTest extends HttpTestBase {

    public static class Fallback implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.gemini.fallback-to-successor", "true");
        }
    }

    @Test
    void aRetiredModelFallsBackToItsSuccessorAndSaysSo() {
        gemini().retire("gemini-3.1-flash-image");
        String key = post("{\"prompt\":\"a fox\",\"aspectRatio\":\"16:9\"}").statusCode(200)
                .body("model", equalTo("gemini-nano-banana-2.1"))
                .body("requestedModel", equalTo("gemini-3.1-flash-image"))
                .body("fallback", equalTo(true))
                .body("rerouted", equalTo(false))
                .body("cost.usd", equalTo(0.0336f))
                .body("cost.basis", equalTo("gemini-nano-banana-2.1 1K standard"))
                .extract().path("key");
        assertEquals(2, gemini().calls());
        assertEquals("/v1beta/models/gemini-nano-banana-2.1:generateContent", gemini().lastRequest().path());
        assertEquals("16:9", gemini().lastRequest().json().at("/generationConfig/imageConfig/aspectRatio").asText());
        assertEquals("gemini-nano-banana-2.1", head(key).metadata().get("model"));
    }

    @Test
    void aReusedFallbackResultStillSaysSoAndPaysNothing() {
        gemini().retire("gemini-3.1-flash-image");
        String body = "{\"prompt\":\"a fox\",\"idempotencyKey\":\"fallback-reuse-1\"}";
        post(body).statusCode(200).body("fallback", equalTo(true)).body("reused", equalTo(false));
        post(body).statusCode(200).body("fallback", equalTo(true)).body("reused", equalTo(true))
                .body("model", equalTo("gemini-nano-banana-2.1"))
                .body("requestedModel", equalTo("gemini-3.1-flash-image"));
        assertEquals(2, gemini().calls(), "the 404 and one paid call; the reuse calls nothing");
    }

    @Test
    void noFallbackWhenTheSuccessorCannotTakeTheRequest() {
        gemini().retire("gemini-3.1-flash-image");
        assertNoObjectLeft(() -> post("{\"prompt\":\"a fox\",\"imageSize\":\"512\"}").statusCode(502)
                .body("code", equalTo("MODEL_UNAVAILABLE"))
                .body("suggestedModel", equalTo("gemini-nano-banana-2.1")));
        assertEquals(1, gemini().calls(), "512 is not a size of the successor: no call to it");
    }

    @Test
    void aModelWithoutASuccessorIsNotRetried() {
        gemini().retire("gemini-3-pro-image");
        post("{\"prompt\":\"a fox\",\"model\":\"gemini-3-pro-image\"}").statusCode(502)
                .body("code", equalTo("MODEL_UNAVAILABLE")).body("type", startsWith("https://"));
        assertEquals(1, gemini().calls());
    }
}
