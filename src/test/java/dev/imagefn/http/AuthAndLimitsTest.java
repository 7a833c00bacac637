package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.RestrictedProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(RestrictedProfile.class)
class AuthAndLimitsTest extends HttpTestBase {
    @jakarta.inject.Inject
    dev.imagefn.config.ImagefnConfig config;

    @Test
    void missingOrWrongTokenIsUnauthorized() {
        assertNoObjectLeft(() -> {
            given().contentType("application/json").body("{\"prompt\":\"x\"}").when().post("/v1/images").then()
                    .statusCode(401).contentType("application/problem+json").body("code", equalTo("UNAUTHORIZED"))
                    .header("WWW-Authenticate", "Bearer");
            given().contentType("application/json").header("Authorization", "Bearer wrong").body("{\"prompt\":\"x\"}")
                    .when().post("/v1/images").then().statusCode(401).body("code", equalTo("UNAUTHORIZED"));
            given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", "gcs-1")
                    .header("ce-source", "//storage.googleapis.com")
                    .header("ce-type", "google.cloud.storage.object.v1.finalized")
                    .body("{\"bucket\":\"images\",\"name\":\"jobs/x.json\"}").when().post("/").then()
                    .statusCode(401).body("code", equalTo("UNAUTHORIZED"));
        });
        assertEquals(0, gemini().calls());
    }

    @Test
    void rightTokenPassesAndHealthStaysOpen() {
        given().contentType("application/json").header("Authorization", "Bearer " + RestrictedProfile.TOKEN)
                .body("{\"prompt\":\"authorised\"}").when().post("/v1/images").then().statusCode(200);
        given().when().get("/q/health/ready").then().statusCode(200);
    }

    @Test
    void anExplicitBodyLimitWinsOverTheDerivedOne() {
        assertEquals(100_000, config.limits().maxBodyBytes());
    }

    @Test
    void bodyOverTheLimitIsPayloadTooLarge() {
        String big = "{\"prompt\":\"" + "x".repeat(120_000) + "\"}";
        assertNoObjectLeft(() -> given().contentType("application/json")
                .header("Authorization", "Bearer " + RestrictedProfile.TOKEN).body(big).when().post("/v1/images")
                .then().statusCode(413).contentType("application/problem+json").body("code", equalTo("PAYLOAD_TOO_LARGE")));
        assertEquals(0, gemini().calls());
    }
}
