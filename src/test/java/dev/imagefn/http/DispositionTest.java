package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * One disposition per failure, the same for every trigger: a failure after Gemini was paid is answered and never
 * delivered again, so a broker's redelivery does not pay twice; only transient failures are retryable.
 */
@QuarkusTest
class DispositionTest extends HttpTestBase {

    private static RequestSpecification event(String id) {
        return given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", id)
                .header("ce-source", "//knative/broker").header("ce-type", "dev.imagefn.image.requested");
    }

    @Test
    void aPaidCallWithoutAnImageIsFinalForABrokerAndItsRedeliveryPaysNothing() {
        String id = UUID.randomUUID().toString();
        gemini().enqueue(Reply.finish("STOP", null));
        assertNoObjectLeft(() -> event(id).body("{\"prompt\":\"nothing comes\"}").when().post("/").then()
                .statusCode(200).header("ce-type", "dev.imagefn.image.failed").body("code", equalTo("NO_IMAGE"))
                .body("retryable", equalTo(false)));
        event(id).body("{\"prompt\":\"nothing comes\"}").when().post("/").then().statusCode(200)
                .header("ce-type", "dev.imagefn.image.failed").body("code", equalTo("NO_IMAGE"));
        assertEquals(1, gemini().calls(), "the redelivery got the recorded failure, not a second paid call");
    }

    @Test
    void aBrokenPaidAnswerIsNotRetryable() {
        gemini().enqueue(Reply.image().truncated());
        post("{\"prompt\":\"cut off\"}").statusCode(502).body("code", equalTo("UPSTREAM_BAD_RESPONSE"))
                .body("retryable", equalTo(false));
        gemini().enqueue(Reply.finish("STOP", null));
        post("{\"prompt\":\"no image\"}").statusCode(502).body("code", equalTo("NO_IMAGE"))
                .body("retryable", equalTo(false));
    }

    @Test
    void refusedCredentialsAndAMissingModelAreFinalAndOverloadIsRetried() {
        gemini().enqueue(Reply.error(403, "PERMISSION_DENIED", "API key not valid.", null));
        event(UUID.randomUUID().toString()).body("{\"prompt\":\"x\"}").when().post("/").then().statusCode(200)
                .header("ce-type", "dev.imagefn.image.failed").body("code", equalTo("UPSTREAM_AUTH"))
                .body("retryable", equalTo(false));
        gemini().enqueue(Reply.error(404, "NOT_FOUND", "models/gemini-x is not found", null));
        event(UUID.randomUUID().toString()).body("{\"prompt\":\"x\",\"model\":\"gemini-x\"}").when().post("/").then()
                .statusCode(200).body("code", equalTo("MODEL_UNAVAILABLE"));
        event(UUID.randomUUID().toString()).body("{\"prompt\":\"busy [stand-in:503]\"}").when().post("/").then()
                .statusCode(503).contentType("application/problem+json").body("retryable", equalTo(true));
    }

    @Test
    void aTransientFailureLeavesTheEventFreeToBeRedelivered() {
        String id = UUID.randomUUID().toString();
        event(id).body("{\"prompt\":\"later [stand-in:503]\"}").when().post("/").then().statusCode(503);
        int calls = gemini().calls();
        event(id).body("{\"prompt\":\"later [stand-in:503]\"}").when().post("/").then().statusCode(503);
        assertEquals(2 * calls, gemini().calls(), "nothing was paid, so the redelivery tries again");
    }
}
