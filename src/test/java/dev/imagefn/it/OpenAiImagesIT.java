package dev.imagefn.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalStackResource;
import dev.imagefn.testing.PackagedStackResource;
import dev.imagefn.testing.Reply;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import java.nio.file.Files;
import java.util.Base64;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/images/generations} and the rerouting flag on the packaged function (jar, or native). */
@QuarkusIntegrationTest
@QuarkusTestResource(PackagedStackResource.class)
class OpenAiImagesIT {

    private static GeminiStandIn gemini() {
        return LocalStackResource.gemini();
    }

    @BeforeEach
    void reset() {
        gemini().reset();
    }

    @Test
    void generatesInOpenAisShapeAndReportsARerouting() throws Exception {
        gemini().enqueue(Reply.image().modelVersion("gemini-nano-banana-2.1"));
        var r = given().contentType("application/json")
                .body("{\"prompt\":\"a lighthouse\",\"size\":\"1792x1024\",\"response_format\":\"b64_json\"}")
                .when().post("/v1/images/generations").then().statusCode(200)
                .body("results[0].rerouted", equalTo(true)).extract();
        byte[] stored = Files.readAllBytes(LocalStackResource.s3().file("images", r.path("results[0].key")));
        assertArrayEquals(stored, Base64.getDecoder().decode((String) r.path("data[0].b64_json")));
        assertEquals("16:9", gemini().lastRequest().json().at("/generationConfig/imageConfig/aspectRatio").asText());
        given().contentType("application/json").body("{\"prompt\":\"p\",\"size\":\"big\"}")
                .when().post("/v1/images/generations").then().statusCode(400)
                .body("error.param", equalTo("size")).body("error.type", equalTo("invalid_request_error"));
    }
}
