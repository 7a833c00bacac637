package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.ExtractableResponse;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** CloudEvents 1.0 over HTTP on {@code POST /}, as Knative, Eventarc and Cloud Run deliver them. */
@QuarkusTest
class CloudEventsTest extends HttpTestBase {

    private static RequestSpecification binary(String id, String type) {
        return given().contentType("application/json")
                .header("ce-specversion", "1.0").header("ce-id", id)
                .header("ce-source", "//knative/test/broker").header("ce-type", type);
    }

    @Test
    void binaryModeRequestGetsAGeneratedEventBack() {
        String id = UUID.randomUUID().toString();
        ExtractableResponse<Response> r = binary(id, "dev.imagefn.image.requested")
                .body("{\"prompt\":\"a fox in the snow\",\"aspectRatio\":\"1:1\"}").when().post("/").then()
                .statusCode(200)
                .header("ce-specversion", "1.0")
                .header("ce-type", "dev.imagefn.image.generated")
                .header("ce-source", "/imagefn")
                .header("ce-id", not(equalTo(id)))
                .header("ce-time", notNullValue())
                .contentType("application/json")
                .body("width", equalTo(1024))
                .extract();
        String key = r.path("key");
        assertEquals(key, r.header("ce-subject"));
        assertArrayEquals(gemini().lastFinalImages().get(0), object(key));
    }

    @Test
    void structuredModeWithDataAndWithDataBase64() {
        given().contentType("application/cloudevents+json; charset=UTF-8")
                .body("{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/eventarc\","
                        + "\"type\":\"dev.imagefn.image.requested\",\"datacontenttype\":\"application/json\","
                        + "\"data\":{\"prompt\":\"structured\",\"imageSize\":\"2K\"}}")
                .when().post("/").then().statusCode(200).header("ce-type", "dev.imagefn.image.generated")
                .body("width", equalTo(2048));
        assertEquals("2K", gemini().lastRequest().json().at("/generationConfig/imageConfig/imageSize").asText());
        String data = Base64.getEncoder().encodeToString("{\"prompt\":\"encoded\"}".getBytes());
        given().contentType("application/cloudevents+json")
                .body("{\"specversion\":\"1.0\",\"id\":\"" + UUID.randomUUID() + "\",\"source\":\"/x\","
                        + "\"type\":\"dev.imagefn.image.requested\",\"data_base64\":\"" + data + "\"}")
                .when().post("/").then().statusCode(200).header("ce-type", "dev.imagefn.image.generated");
        assertEquals("encoded", gemini().lastRequest().json().at("/contents/0/parts/0/text").asText());
    }

    @Test
    void permanentFailuresAreAcknowledgedAsFailedEvents() {
        String id = UUID.randomUUID().toString();
        assertNoObjectLeft(() -> binary(id, "dev.imagefn.image.requested").body("{\"imageSize\":\"1K\"}")
                .when().post("/").then().statusCode(200)
                .header("ce-type", "dev.imagefn.image.failed")
                .header("ce-subject", id)
                .contentType("application/problem+json")
                .body("code", equalTo("INVALID_REQUEST")));
        gemini().enqueue(Reply.promptBlocked("SAFETY"));
        binary(UUID.randomUUID().toString(), "dev.imagefn.image.requested").body("{\"prompt\":\"bad\"}")
                .when().post("/").then().statusCode(200).header("ce-type", "dev.imagefn.image.failed")
                .body("code", equalTo("CONTENT_BLOCKED"));
    }

    @Test
    void retryableFailuresAnswerWithTheirStatusSoTheBrokerRetries() {
        for (int i = 0; i < 5; i++) {
            gemini().enqueue(Reply.unavailable());
        }
        binary(UUID.randomUUID().toString(), "dev.imagefn.image.requested").body("{\"prompt\":\"busy\"}")
                .when().post("/").then().statusCode(503).header("ce-type", nullValue())
                .contentType("application/problem+json").body("code", equalTo("UPSTREAM_UNAVAILABLE"));
        for (int i = 0; i < 5; i++) {
            gemini().enqueue(Reply.rateLimited("0.01s"));
        }
        binary(UUID.randomUUID().toString(), "dev.imagefn.image.requested").body("{\"prompt\":\"busy\"}")
                .when().post("/").then().statusCode(429).header("Retry-After", notNullValue());
    }

    @Test
    void redeliveryOfTheSameEventPaysOnce() {
        String id = UUID.randomUUID().toString();
        String first = binary(id, "dev.imagefn.image.requested").body("{\"prompt\":\"once\"}").when().post("/")
                .then().statusCode(200).body("reused", equalTo(false)).extract().path("key");
        String second = binary(id, "dev.imagefn.image.requested").body("{\"prompt\":\"once\"}").when().post("/")
                .then().statusCode(200).body("reused", equalTo(true)).extract().path("key");
        assertEquals(first, second);
        assertEquals(1, gemini().calls());
    }

    @Test
    void malformedEventsAreClear400s() {
        given().contentType("application/json").header("ce-specversion", "1.0").header("ce-source", "/s")
                .header("ce-type", "dev.imagefn.image.requested").body("{\"prompt\":\"x\"}").when().post("/").then()
                .statusCode(400).contentType("application/problem+json").body("detail", org.hamcrest.Matchers.containsString("'id'"));
        binary("1", "dev.imagefn.image.requested").header("ce-specversion", "0.3").body("{\"prompt\":\"x\"}")
                .when().post("/").then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("specversion"));
        binary("1", "com.example.other").body("{\"prompt\":\"x\"}").when().post("/").then().statusCode(400)
                .body("detail", org.hamcrest.Matchers.containsString("com.example.other"));
        given().contentType("application/json").body("{\"prompt\":\"x\"}").when().post("/").then().statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"));
        given().contentType("application/cloudevents+json").body("{\"specversion\":\"1.0\",\"id\":\"1\",\"type\":\"t\"}")
                .when().post("/").then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("'source'"));
        binary("1", "dev.imagefn.image.requested").contentType("text/plain").body("prompt=x").when().post("/").then()
                .statusCode(400).body("detail", org.hamcrest.Matchers.containsString("JSON"));
        assertEquals(0, gemini().calls());
    }

    @Test
    void cloudStorageFinalizedEventRunsTheUploadPipeline() {
        byte[] photo = dev.imagefn.testing.TestImages.png(24, 24, 0x336633, 0);
        String name = "uploads/" + UUID.randomUUID() + ".png";
        s3.putObject(b -> b.bucket(BUCKET).key(name), software.amazon.awssdk.core.sync.RequestBody.fromBytes(photo));
        String event = "{\"bucket\":\"" + BUCKET + "\",\"name\":\"" + name + "\",\"generation\":\"1700000000000001\","
                + "\"contentType\":\"image/png\",\"size\":\"" + photo.length + "\"}";
        String key = binary(UUID.randomUUID().toString(), "google.cloud.storage.object.v1.finalized").body(event)
                .when().post("/").then().statusCode(200).header("ce-type", "dev.imagefn.image.generated")
                .body("reused", equalTo(false)).extract().path("key");
        assertArrayEquals(gemini().lastFinalImages().get(0), object(key));
        binary(UUID.randomUUID().toString(), "google.cloud.storage.object.v1.finalized").body(event)
                .when().post("/").then().statusCode(200).body("reused", equalTo(true)).body("key", equalTo(key));
        assertEquals(1, gemini().calls(), "a redelivered storage event pays once");
    }

    @Test
    void batchModeIsRefused() {
        given().contentType("application/cloudevents-batch+json").body("[{\"specversion\":\"1.0\"}]").when().post("/")
                .then().statusCode(400).body("detail", org.hamcrest.Matchers.containsString("batch"));
        assertEquals(0, gemini().calls());
    }
}
