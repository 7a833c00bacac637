package dev.imagefn.it;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalStackResource;
import dev.imagefn.testing.PackagedStackResource;
import dev.imagefn.testing.RawHttp;
import dev.imagefn.testing.Reply;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusIntegrationTest;
import io.restassured.RestAssured;
import io.restassured.response.ValidatableResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /v1/images} from outside the packaged function: the jar in {@code make test}, the native executable
 * with {@code ./mvnw verify -Dnative}.
 */
@QuarkusIntegrationTest
@QuarkusTestResource(PackagedStackResource.class)
class ImagesApiIT {

    private static GeminiStandIn gemini() {
        return LocalStackResource.gemini();
    }

    private static ValidatableResponse post(String json) {
        return given().contentType("application/json").body(json).when().post("/v1/images").then();
    }

    @BeforeEach
    void reset() {
        gemini().reset();
    }

    @Test
    void storesExactlyTheImageGeminiReturned() throws Exception {
        var r = post("{\"prompt\":\"a lighthouse\",\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}").statusCode(200)
                .contentType("application/json").body("mimeType", equalTo("image/png"))
                .body("key", startsWith("generated/")).body("cost.usd", equalTo(0.101f)).extract();
        byte[] stored = Files.readAllBytes(LocalStackResource.s3().file("images", r.path("key")));
        assertArrayEquals(gemini().lastFinalImages().get(0), stored);
        assertEquals(HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(stored)),
                r.path("sha256"));
        assertEquals("test-key-AIzaSyTESTONLY0123456789", gemini().lastRequest().header("x-goog-api-key"));
        assertEquals("2K", gemini().lastRequest().json().at("/generationConfig/imageConfig/imageSize").asText());
    }

    @Test
    void aValidationErrorIsAProblemAndCostsNothing() {
        post("{\"prompt\":\"x\",\"model\":\"gemini-3-pro-image\",\"imageSize\":\"512\"}").statusCode(400)
                .contentType("application/problem+json").body("code", equalTo("INVALID_REQUEST"))
                .body("retryable", equalTo(false));
        assertEquals(0, gemini().calls());
    }

    @Test
    void anUpstreamErrorKeepsItsCode() {
        gemini().enqueue(Reply.error(403, "PERMISSION_DENIED", "API key not valid. Please pass a valid API key.", null));
        post("{\"prompt\":\"x\"}").statusCode(502).contentType("application/problem+json")
                .body("code", equalTo("UPSTREAM_AUTH"));
        assertEquals(1, gemini().calls(), "a 403 is never retried");
    }

    @Test
    void theSameIdempotencyKeyPaysOnce() {
        String body = "{\"prompt\":\"once\",\"idempotencyKey\":\"" + UUID.randomUUID() + "\"}";
        String key = post(body).statusCode(200).body("reused", equalTo(false)).extract().path("key");
        post(body).statusCode(200).body("reused", equalTo(true)).body("key", equalTo(key))
                .body("cost.usd", equalTo(0));
        assertEquals(1, gemini().calls());
    }

    /** HTTP/1.1 keep-alive on the packaged function: three answers on one connection, none closing it. */
    @Test
    void oneConnectionServesRequestAfterRequest() throws Exception {
        byte[] body = "{\"prompt\":\"keep-alive\"}".getBytes(StandardCharsets.UTF_8);
        int port = RestAssured.port;
        try (RawHttp c = new RawHttp(port, Duration.ofSeconds(60))) {
            for (int i = 0; i < 3; i++) {
                c.head("POST", "/v1/images", port, RawHttp.headers("Content-Type", "application/json",
                        "Content-Length", Integer.toString(body.length)));
                c.write(body);
                RawHttp.Answer a = c.read();
                assertEquals(200, a.status(), a.text());
                assertEquals(null, a.header("connection"), "answer " + i + " closes its connection");
            }
        }
        assertEquals(3, gemini().calls());
    }
}
