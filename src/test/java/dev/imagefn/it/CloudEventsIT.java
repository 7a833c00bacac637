package dev.imagefn.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalStackResource;
import dev.imagefn.testing.PackagedStackResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.specification.RequestSpecification;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** CloudEvents on {@code POST /} against the packaged function (jar, or native with {@code -Dnative}). */
@QuarkusIntegrationTest
@QuarkusTestResource(PackagedStackResource.class)
class CloudEventsIT {

    private static GeminiStandIn gemini() {
        return LocalStackResource.gemini();
    }

    private static RequestSpecification binary(String id) {
        return given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", id)
                .header("ce-source", "//knative/it/broker").header("ce-type", "dev.imagefn.image.requested");
    }

    @BeforeEach
    void reset() {
        gemini().reset();
    }

    @Test
    void binaryModeAnswersWithAGeneratedEventAndARedeliveryPaysOnce() throws Exception {
        String id = UUID.randomUUID().toString();
        var first = binary(id).body("{\"prompt\":\"a fox in the snow\"}").when().post("/").then().statusCode(200)
                .header("ce-type", "dev.imagefn.image.generated").header("ce-specversion", "1.0").extract();
        String key = first.path("key");
        assertEquals(key, first.header("ce-subject"));
        assertArrayEquals(gemini().lastFinalImages().get(0),
                Files.readAllBytes(LocalStackResource.s3().file("images", key)));
        binary(id).body("{\"prompt\":\"a fox in the snow\"}").when().post("/").then().statusCode(200)
                .body("key", equalTo(key)).body("reused", equalTo(true));
        assertEquals(1, gemini().calls(), "the broker's redelivery must not pay again");
    }

    @Test
    void structuredModeAndAPermanentFailureThatBrokersDoNotRetry() {
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/eventarc\","
                        + "\"type\":\"dev.imagefn.image.requested\",\"data\":{\"prompt\":\"structured\","
                        + "\"imageSize\":\"2K\"}}")
                .when().post("/").then().statusCode(200).header("ce-type", "dev.imagefn.image.generated")
                .body("width", equalTo(2048));
        binary(UUID.randomUUID().toString()).body("{\"prompt\":\"\"}").when().post("/").then().statusCode(200)
                .header("ce-type", "dev.imagefn.image.failed").body("code", equalTo("INVALID_REQUEST"));
    }
}
