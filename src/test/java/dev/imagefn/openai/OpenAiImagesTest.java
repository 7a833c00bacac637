package dev.imagefn.openai;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasKey;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefn.delivery.http.HttpApi;
import dev.imagefn.delivery.http.HttpReply;
import dev.imagefn.core.Deadline;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import dev.imagefn.testing.RestrictedProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@code POST /v1/images/generations}: OpenAI's request, answer and error shapes over the real pipeline. */
@QuarkusTest
@TestProfile(RestrictedProfile.class)
class OpenAiImagesTest extends HttpTestBase {
    private static final String PATH = "/v1/images/generations";

    @Inject
    HttpApi api;

    private static ValidatableResponse generate(String json) {
        return given().contentType("application/json").header("Authorization", "Bearer " + RestrictedProfile.TOKEN)
                .body(json).when().post(PATH).then();
    }

    private static JsonNode imageConfig() {
        return gemini().lastRequest().json().at("/generationConfig/imageConfig");
    }

    @Test
    void aPixelSizeBecomesTheNearestRatioAndTheSmallestTierThatHoldsItAndTheUrlServesTheStoredImage()
            throws Exception {
        var r = generate("{\"prompt\":\"a lighthouse\",\"size\":\"1792x1024\",\"response_format\":\"url\"}")
                .statusCode(200).contentType(containsString("application/json"))
                .body("created", notNullValue()).body("data.size()", equalTo(1))
                .body("data[0]", not(hasKey("b64_json")))
                .body("usage.input_tokens", equalTo(18)).body("output_format", equalTo("png"))
                .body("results[0].model", equalTo("gemini-3.1-flash-image"))
                .extract();
        assertEquals("16:9", imageConfig().path("aspectRatio").asText());
        assertEquals("2K", imageConfig().path("imageSize").asText());
        String url = r.path("data[0].url");
        HttpResponse<byte[]> got = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, got.statusCode(), "the url is a presigned GET");
        assertArrayEquals(gemini().lastFinalImages().getLast(), got.body());
        assertArrayEquals(got.body(), object(r.path("results[0].key")));
        assertEquals(r.path("results[0].width") + "x" + r.path("results[0].height"), r.path("size"));
    }

    @Test
    void sizesMapAsTheReadmeTableSays() {
        Map<String, List<String>> table = Map.of(
                "1024x1024", List.of("1:1", "1K"), "1024x1792", List.of("9:16", "2K"),
                "1536x1024", List.of("3:2", "2K"), "256x256", List.of("1:1", "512"),
                "3840x2160", List.of("16:9", "4K"), "2048x512", List.of("4:1", "2K"));
        table.forEach((size, expected) -> {
            generate("{\"prompt\":\"p\",\"size\":\"" + size + "\"}").statusCode(200);
            assertEquals(expected, List.of(imageConfig().path("aspectRatio").asText(),
                    imageConfig().path("imageSize").asText()), size);
        });
        generate("{\"prompt\":\"p\",\"size\":\"256x256\",\"model\":\"gemini-nano-banana-2.1\"}").statusCode(200);
        assertEquals("1K", imageConfig().path("imageSize").asText(), "2.1 has no 512: the smallest tier it has");
        generate("{\"prompt\":\"p\",\"size\":\"auto\"}").statusCode(200);
        assertFalse(imageConfig().has("aspectRatio") || imageConfig().has("imageSize"), "auto: the model decides");
    }

    @Test
    void b64JsonWithNImagesIsNIdempotentGenerations() {
        String body = "{\"prompt\":\"two cats\",\"n\":2,\"response_format\":\"b64_json\",\"idempotencyKey\":\"oa-n2\","
                + "\"quality\":\"hd\",\"style\":\"vivid\",\"user\":\"u-1\",\"output_format\":\"png\"}";
        int records = idempotencyRecords().size();
        var first = generate(body).statusCode(200).body("data.size()", equalTo(2))
                .body("data[0]", not(hasKey("url"))).body("results[0].reused", equalTo(false)).extract();
        assertEquals(2, gemini().calls());
        byte[] second = Base64.getDecoder().decode((String) first.path("data[1].b64_json"));
        assertArrayEquals(gemini().lastFinalImages().getLast(), second);
        assertEquals(records + 2, idempotencyRecords().size(), "one record per image: oa-n2#1 and oa-n2#2");
        generate(body).statusCode(200).body("results[0].reused", equalTo(true)).body("results[1].reused", equalTo(true))
                .body("data[1].b64_json", equalTo(first.path("data[1].b64_json")));
        assertEquals(2, gemini().calls(), "the retry pays nothing");
    }

    @Test
    void aFailurePartWayWithoutAnIdempotencyKeyLeavesNoneOfTheRequestsImages() {
        gemini().enqueue(Reply.image(), Reply.finish("NO_IMAGE", null));
        assertNoObjectLeft(() -> generate("{\"prompt\":\"two cats\",\"n\":2}").statusCode(502)
                .body("error.code", equalTo("no_image"))
                .body("error.message", containsString("image 2 of the request failed; the 1 image(s) stored for it"
                        + " were deleted")));
        assertEquals(2, gemini().calls());
    }

    @Test
    void aTransientFailurePartWayWithoutAnIdempotencyKeyIsNotRetriedByTheSdkSinceItsImagesWerePaid() {
        gemini().enqueue(Reply.image());
        for (int i = 0; i < 5; i++) {
            gemini().enqueue(Reply.unavailable());
        }
        assertNoObjectLeft(() -> generate("{\"prompt\":\"two owls\",\"n\":2}").statusCode(503)
                .header("x-should-retry", "false")
                .body("error.message", containsString("were deleted"))
                .body("error.message", containsString("they were paid, so this is not retried")));
    }

    @Test
    void aFailurePartWayWithAnIdempotencyKeyKeepsTheStoredImagesForTheRetryToReuse() {
        String body = "{\"prompt\":\"two dogs\",\"n\":2,\"idempotencyKey\":\"oa-part\"}";
        gemini().enqueue(Reply.image());
        for (int i = 0; i < 5; i++) {
            gemini().enqueue(Reply.unavailable());
        }
        String message = generate(body).statusCode(503).header("x-should-retry", "true")
                .body("error.message", containsString("image 2 of the request failed; these images stored for it"
                        + " stay: ")).extract().path("error.message");
        String kept = message.replaceAll(".*stay: ([^;]+);.*", "$1");
        assertArrayEquals(gemini().lastFinalImages().getFirst(), object(kept));
        int paid = gemini().calls();
        gemini().reset();
        generate(body).statusCode(200).body("data.size()", equalTo(2)).body("results[0].reused", equalTo(true))
                .body("results[0].key", equalTo(kept)).body("results[1].reused", equalTo(false));
        assertEquals(1, gemini().calls(), "the retry pays for the failed image only (" + paid + " calls before)");
    }

    @Test
    void nonsenseSizesAndFormatsAreRefusedInOpenAisShapeBeforeAnyCall() {
        for (String size : new String[] {"banana", "0x1024", "1024x0", "1024", "-5x5", "99999x1", "9000x9000",
                "1024X1024"}) {
            generate("{\"prompt\":\"p\",\"size\":\"" + size + "\"}").statusCode(400)
                    .body("error.type", equalTo("invalid_request_error")).body("error.param", equalTo("size"))
                    .body("error.message", notNullValue());
        }
        generate("{\"prompt\":\"p\",\"size\":\"1024x1024\",\"aspectRatio\":\"1:1\"}").statusCode(400)
                .body("error.param", equalTo("size"));
        generate("{\"prompt\":\"p\",\"response_format\":\"jpeg\"}").statusCode(400)
                .body("error.param", equalTo("response_format"));
        generate("{\"prompt\":\"p\",\"n\":5}").statusCode(400).body("error.param", equalTo("n"));
        generate("{\"prompt\":\"p\",\"n\":0}").statusCode(400).body("error.param", equalTo("n"));
        generate("{\"prompt\":\"p\",\"n\":\"2\"}").statusCode(400).body("error.param", equalTo("n"));
        generate("{\"prompt\":\"p\",\"background\":\"transparent\"}").statusCode(400)
                .body("error.param", equalTo("background"));
        generate("{\"prompt\":\"p\",\"stream\":true}").statusCode(400).body("error.param", equalTo("stream"));
        generate("{\"prompt\":\"p\",\"colour\":\"red\"}").statusCode(400).body("error.param", equalTo("colour"))
                .body("error.message", containsString("unknown parameter"));
        generate("{\"prompt\":\"p\",\"n\":2,\"key\":\"mine.png\"}").statusCode(400).body("error.param", equalTo("key"));
        generate("not json").statusCode(400).body("error.type", equalTo("invalid_request_error"));
        assertEquals(0, gemini().calls());
    }

    @Test
    void thePipelinesOwnValidationAnswersInOpenAisShape() {
        generate("{\"size\":\"1024x1024\"}").statusCode(400).body("error.code", equalTo("invalid_request"))
                .body("error.message", containsString("'prompt' is required"));
        generate("{\"prompt\":\"p\",\"model\":\"gemini-nano-banana-2.1\",\"imageSize\":\"512\"}").statusCode(400)
                .body("error.type", equalTo("invalid_request_error")).body("error.param", nullValue());
        generate("{\"prompt\":\"p\",\"aspectRatio\":\"7:3\"}").statusCode(400)
                .body("error.message", containsString("aspectRatio"));
        assertEquals(0, gemini().calls());
    }

    @Test
    void openAiModelNamesGetTheDefaultModel() {
        generate("{\"prompt\":\"p\",\"model\":\"dall-e-3\"}").statusCode(200)
                .body("results[0].model", equalTo("gemini-3.1-flash-image"));
        generate("{\"prompt\":\"p\",\"model\":\"gpt-image-1\"}").statusCode(200);
        generate("{\"prompt\":\"p\",\"model\":\"nano-banana-pro\"}").statusCode(200)
                .body("results[0].model", equalTo("gemini-3-pro-image"));
        assertEquals("/v1beta/models/gemini-3-pro-image:generateContent", gemini().lastRequest().path());
    }

    @Test
    void gptImageNamesAnswerInBase64ByDefaultAsOpenAisGptImageModelsDo() {
        generate("{\"prompt\":\"p\",\"model\":\"gpt-image-1\"}").statusCode(200)
                .body("data[0].b64_json", notNullValue()).body("data[0]", not(hasKey("url")));
        generate("{\"prompt\":\"p\",\"model\":\"gpt-image-1\",\"response_format\":\"url\"}").statusCode(200)
                .body("data[0].url", notNullValue());
        generate("{\"prompt\":\"p\",\"model\":\"dall-e-3\"}").statusCode(200).body("data[0].url", notNullValue())
                .body("data[0]", not(hasKey("b64_json")));
    }

    @Test
    void aModelGeminiDoesNotServeIsModelNotFoundNotAServerErrorAnSdkRetries() {
        generate("{\"prompt\":\"p\",\"model\":\"gemini-no-such-image\"}").statusCode(404)
                .header("x-should-retry", "false")
                .body("error.type", equalTo("invalid_request_error")).body("error.code", equalTo("model_not_found"))
                .body("error.param", equalTo("model"));
    }

    @Test
    void streamMustBeABooleanAndBackgroundOneOfOpenAisValues() {
        for (String stream : new String[] {"\"true\"", "1", "{\"prompt\":\"inner\"}", "[true]"}) {
            generate("{\"prompt\":\"p\",\"stream\":" + stream + "}").statusCode(400)
                    .body("error.param", equalTo("stream"));
        }
        for (String background : new String[] {"TRANSPARENT", "Opaque", "none"}) {
            generate("{\"prompt\":\"p\",\"background\":\"" + background + "\"}").statusCode(400)
                    .body("error.param", equalTo("background"));
        }
        assertEquals(0, gemini().calls(), "refused before any call");
        generate("{\"prompt\":\"p\",\"stream\":false,\"background\":\"opaque\"}").statusCode(200);
    }

    @Test
    void theAnswerComesBeforeTheSdksTimeoutSoItDoesNotRetryAndPayAgain() {
        gemini().enqueue(Reply.image().delay(Duration.ofSeconds(6)));
        long start = System.nanoTime();
        given().contentType("application/json").header("Authorization", "Bearer " + RestrictedProfile.TOKEN)
                .header("X-Stainless-Timeout", "2").body("{\"prompt\":\"a slow heron\"}").when().post(PATH).then()
                .statusCode(504).header("x-should-retry", "false").body("error.code", equalTo("upstream_timeout"));
        long ms = (System.nanoTime() - start) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(ms < 4_000, "answered after " + ms + " ms, within the SDK's 2 s");
    }

    @Test
    void aBlockedPromptIsAContentPolicyViolation() {
        generate("{\"prompt\":\"bad [stand-in:blocked]\"}").statusCode(400)
                .header("x-should-retry", "false")
                .body("error.code", equalTo("content_policy_violation"))
                .body("error.type", equalTo("invalid_request_error"));
    }

    /**
     * What the framework refuses before the route runs (a Content-Type it cannot parse, another method) and a
     * length over every limit are in OpenAI's shape too, as an SDK reads them; so is the Lambda carrier's 405.
     */
    @Test
    void failuresRaisedAroundTheRouteAreInOpenAisShapeToo() throws Exception {
        String auth = "Bearer " + RestrictedProfile.TOKEN;
        given().header("Content-Type", "text").header("Authorization", auth)
                .body("{\"prompt\":\"p\"}".getBytes(StandardCharsets.UTF_8)).when().post(PATH).then().statusCode(400)
                .contentType("application/json").body("error.type", equalTo("invalid_request_error"))
                .body("error.code", equalTo("invalid_request"));
        given().header("Authorization", auth).when().get(PATH).then().statusCode(405).header("Allow", "POST")
                .contentType("application/json").body("error.code", equalTo("method_not_allowed"));
        int port = io.restassured.RestAssured.port;
        try (dev.imagefn.testing.RawHttp c = new dev.imagefn.testing.RawHttp(port, Duration.ofSeconds(10))) {
            c.head("POST", PATH, port, dev.imagefn.testing.RawHttp.headers("Content-Type", "application/json",
                    "Content-Length", "100000000000", "Authorization", auth));
            dev.imagefn.testing.RawHttp.Answer a = c.read();
            assertEquals(413, a.status(), a.text());
            assertEquals("payload_too_large", io.restassured.path.json.JsonPath.from(a.text()).getString("error.code"),
                    a.text());
        }
        HttpReply lambda = api.route("GET", PATH, h -> h.equalsIgnoreCase("Authorization") ? auth : null, new byte[0],
                Deadline.after(Duration.ofSeconds(60)));
        assertEquals(405, lambda.status());
        assertEquals("POST", lambda.headers().get("Allow"));
        assertEquals("method_not_allowed", io.restassured.path.json.JsonPath.from(new String(lambda.body(),
                StandardCharsets.UTF_8)).getString("error.code"));
        assertEquals(0, gemini().calls());
    }

    /** The Python SDK sends its timeout as X-Stainless-Read-Timeout: the answer comes before it, as for Node's. */
    @Test
    void thePythonSdksTimeoutHeaderBoundsTheAnswerToo() {
        gemini().enqueue(Reply.image().delay(Duration.ofSeconds(6)));
        long start = System.nanoTime();
        given().contentType("application/json").header("Authorization", "Bearer " + RestrictedProfile.TOKEN)
                .header("x-stainless-read-timeout", "2.0").body("{\"prompt\":\"a slow heron\"}").when().post(PATH)
                .then().statusCode(504).header("x-should-retry", "false");
        long ms = (System.nanoTime() - start) / 1_000_000;
        org.junit.jupiter.api.Assertions.assertTrue(ms < 4_000, "answered after " + ms + " ms; the SDK gave up at 2 s");
    }

    /** The SDKs' types require usage.input_tokens_details (Python reads .text_tokens from it). */
    @Test
    void usageCarriesInputTokensDetails() {
        generate("{\"prompt\":\"p\",\"model\":\"gpt-image-1\"}").statusCode(200)
                .body("usage.input_tokens_details.text_tokens", equalTo(18))
                .body("usage.input_tokens_details.image_tokens", equalTo(0));
    }

    @Test
    void aMissingOrWrongTokenIsInvalidApiKey() {
        given().contentType("application/json").body("{\"prompt\":\"p\"}").when().post(PATH).then().statusCode(401)
                .body("error.code", equalTo("invalid_api_key")).body("error.type", equalTo("invalid_request_error"))
                .body("error.param", nullValue());
        given().contentType("application/json").header("Authorization", "Bearer sk-wrong").body("{\"prompt\":\"p\"}")
                .when().post(PATH).then().statusCode(401).body("error.code", equalTo("invalid_api_key"));
        assertEquals(0, gemini().calls());
    }

    @Test
    void upstreamFailuresKeepTheirStatusAndSayWhetherTheSdkMayRetry() {
        for (int i = 0; i < 5; i++) {
            gemini().enqueue(Reply.rateLimited("0.01s"));
        }
        generate("{\"prompt\":\"p\"}").statusCode(429).header("x-should-retry", "true")
                .header("Retry-After", notNullValue())
                .body("error.type", equalTo("rate_limit_error")).body("error.code", equalTo("rate_limit_exceeded"));
        gemini().reset();
        generate("{\"prompt\":\"busy [stand-in:503]\"}").statusCode(503).header("x-should-retry", "true")
                .body("error.type", equalTo("server_error")).body("error.code", equalTo("upstream_unavailable"));
        gemini().reset();
        gemini().enqueue(Reply.finish("NO_IMAGE", null));
        generate("{\"prompt\":\"p\"}").statusCode(502).header("x-should-retry", "false")
                .body("error.code", equalTo("no_image"));
        assertEquals(1, gemini().calls(), "paid and failed: the SDK is told not to pay again");
    }

    @Test
    void theLambdaRouteServesTheSameEndpoint() {
        Map<String, String> headers = Map.of("authorization", "Bearer " + RestrictedProfile.TOKEN);
        HttpReply ok = api.route("POST", PATH, h -> headers.get(h.toLowerCase()),
                "{\"prompt\":\"p\",\"response_format\":\"b64_json\"}".getBytes(StandardCharsets.UTF_8),
                Deadline.after(Duration.ofSeconds(60)));
        assertEquals(200, ok.status(), new String(ok.body(), StandardCharsets.UTF_8));
        assertArrayEquals(gemini().lastFinalImages().getLast(), Base64.getDecoder().decode(new String(ok.body(),
                StandardCharsets.UTF_8).replaceAll("(?s).*\"b64_json\":\"([^\"]+)\".*", "$1")));
        HttpReply denied = api.route("POST", PATH, h -> null, "{}".getBytes(StandardCharsets.UTF_8),
                Deadline.after(Duration.ofSeconds(60)));
        assertEquals(401, denied.status());
        assertEquals(true, new String(denied.body(), StandardCharsets.UTF_8).contains("\"invalid_api_key\""));
    }
}
