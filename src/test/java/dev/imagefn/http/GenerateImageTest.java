package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import dev.imagefn.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

@QuarkusTest
class GenerateImageTest extends HttpTestBase {

    @Test
    void storesExactlyTheBytesOfTheFinalImageAndReportsThem() throws Exception {
        Set<String> before = keys();
        JsonPath result = post("{\"prompt\":\"a lighthouse at dusk\",\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}")
                .statusCode(200)
                .body("bucket", equalTo(BUCKET))
                .body("key", matchesPattern("generated/\\d{4}/\\d{2}/\\d{2}/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.png"))
                .body("mimeType", equalTo("image/png"))
                .body("width", equalTo(2752))
                .body("height", equalTo(1536))
                .body("model", equalTo("gemini-3.1-flash-image"))
                .body("usage.imageTokens", equalTo(1120))
                .body("usage.promptTokens", equalTo(18))
                .body("cost.usd", equalTo(0.101f))
                .body("cost.basis", equalTo("gemini-3.1-flash-image 2K standard"))
                .body("reused", equalTo(false))
                .body("url", nullValue())
                .body("text", nullValue())
                .extract().jsonPath();
        String key = result.getString("key");
        byte[] sent = gemini().lastFinalImages().get(0);
        assertArrayEquals(sent, object(key), "stored bytes must be the stand-in's image, byte for byte");
        assertEquals(result.getString("uri"), "s3://" + BUCKET + "/" + key);
        assertEquals(sent.length, result.getLong("bytes"));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sent)), result.getString("sha256"));
        assertEquals(List.of(key), result.getList("images.key"));
        Set<String> added = keys();
        added.removeAll(before);
        assertEquals(Set.of(key), added);
    }

    @Test
    void storesMetadataAndContentTypeButNotThePrompt() throws Exception {
        String key = post("{\"prompt\":\"secret prompt text\",\"metadata\":{\"Campaign\":\"autumn\",\"sku\":\"1001\"}}")
                .statusCode(200).extract().path("key");
        HeadObjectResponse head = head(key);
        assertEquals("image/png", head.contentType());
        Map<String, String> md = head.metadata();
        assertEquals("autumn", md.get("campaign"));
        assertEquals("1001", md.get("sku"));
        assertEquals("gemini-3.1-flash-image", md.get("model"));
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("secret prompt text".getBytes())), md.get("prompt-sha256"));
        assertEquals(64, md.get("sha256").length());
        assertFalse(md.values().stream().anyMatch(v -> v.contains("secret prompt")), "the prompt is never stored");
    }

    @Test
    void neverStoresThoughtImages() {
        gemini().enqueue(Reply.image().thoughtImages(2));
        Set<String> before = keys();
        String key = post("{\"prompt\":\"with drafts\",\"includeText\":true}").statusCode(200)
                .body("images", hasSize(1))
                .body("text", equalTo("Here is your image."))
                .extract().path("key");
        Set<String> added = keys();
        added.removeAll(before);
        assertEquals(Set.of(key), added);
        assertEquals(1, gemini().calls());
        byte[] stored = object(key);
        assertEquals(gemini().lastFinalImages().get(0).length, stored.length, "length");
        assertArrayEquals(gemini().lastFinalImages().get(0), stored);
    }

    @Test
    void twoDeliverableImagesBecomeTwoObjectsTheLastBeingTheMainOne() {
        gemini().enqueue(Reply.image().images(2));
        JsonPath result = post("{\"prompt\":\"two of them\"}").statusCode(200).body("images", hasSize(2))
                .extract().jsonPath();
        List<String> keys = result.getList("images.key");
        assertEquals(keys.get(1), result.getString("key"));
        assertArrayEquals(gemini().lastFinalImages().get(0), object(keys.get(0)));
        assertArrayEquals(gemini().lastFinalImages().get(1), object(keys.get(1)));
        assertEquals(0.134f, result.getFloat("cost.usd"), 1e-6);
    }

    @Test
    void jpegGetsAJpgKeyAndItsRealDimensions() {
        gemini().enqueue(Reply.image().mimeType("image/jpeg"));
        post("{\"prompt\":\"jpeg please\",\"aspectRatio\":\"3:4\",\"imageSize\":\"512\"}").statusCode(200)
                .body("key", endsWith(".jpg")).body("mimeType", equalTo("image/jpeg"))
                .body("width", equalTo(448)).body("height", equalTo(600))
                .body("cost.usd", equalTo(0.045f));
    }

    @Test
    void explicitKeyIsUsedUnderThePrefix() {
        String key = post("{\"prompt\":\"named\",\"key\":\"campaigns/autumn/hero.png\"}").statusCode(200)
                .body("key", equalTo("generated/campaigns/autumn/hero.png")).extract().path("key");
        assertArrayEquals(gemini().lastFinalImages().get(0), object(key));
    }

    @Test
    void aliasResolvesToTheModelId() {
        post("{\"prompt\":\"pro\",\"model\":\"nano-banana-pro\",\"imageSize\":\"4K\",\"aspectRatio\":\"4:5\"}")
                .statusCode(200).body("model", equalTo("gemini-3-pro-image"))
                .body("width", equalTo(3712)).body("height", equalTo(4608))
                .body("cost.usd", equalTo(0.24f));
        assertEquals("/v1beta/models/gemini-3-pro-image:generateContent", gemini().lastRequest().path());
    }

    @Test
    void presignedUrlServesTheImage() throws Exception {
        JsonPath result = post("{\"prompt\":\"share it\",\"presign\":true}").statusCode(200)
                .body("url", containsString("X-Amz-Signature")).extract().jsonPath();
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(result.getString("url"))).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode());
        assertArrayEquals(gemini().lastFinalImages().get(0), got.body());
    }

    @Test
    void referenceImagesInlineAndFromAnAllowedBucketAreSentAsInlineData() {
        byte[] stored = TestImages.png(32, 32, 0x336699, 0);
        byte[] inline = TestImages.jpeg(16, 16, 0x993366, 0);
        createBucket("refs");
        // A generic Content-Type, as SDK uploads often have: the bytes decide that it is a PNG.
        s3.putObject(b -> b.bucket("refs").key("in/product.png").contentType("application/octet-stream"),
                RequestBody.fromBytes(stored));
        post("{\"prompt\":\"combine\",\"referenceImages\":[{\"uri\":\"s3://refs/in/product.png\"},"
                + "{\"mimeType\":\"image/jpeg\",\"data\":\"" + Base64.getEncoder().encodeToString(inline) + "\"}]}")
                .statusCode(200);
        var parts = gemini().lastRequest().json().at("/contents/0/parts");
        assertEquals(3, parts.size());
        assertEquals("combine", parts.get(0).get("text").asText());
        assertEquals("image/png", parts.get(1).at("/inlineData/mimeType").asText());
        assertArrayEquals(stored, Base64.getDecoder().decode(parts.get(1).at("/inlineData/data").asText()));
        assertEquals("image/jpeg", parts.get(2).at("/inlineData/mimeType").asText());
        assertArrayEquals(inline, Base64.getDecoder().decode(parts.get(2).at("/inlineData/data").asText()));
    }

    @Test
    void requestIdIsEchoed() {
        given().contentType("application/json").header("X-Request-Id", "req-123").body("{\"prompt\":\"id\"}")
                .when().post("/v1/images").then().statusCode(200)
                .header("X-Request-Id", "req-123").body("requestId", equalTo("req-123"));
    }

    @Test
    void healthAndMetricsAreServed() {
        post("{\"prompt\":\"counted\"}").statusCode(200);
        given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/health/ready").then().statusCode(200).body("status", equalTo("UP"));
        given().when().get("/q/metrics").then().statusCode(200).body(containsString("imagefn_images_total"));
    }
}
