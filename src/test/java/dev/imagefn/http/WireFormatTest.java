package dev.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.LocalStackResource;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** What reaches Gemini, as the stand-in recorded it. */
@QuarkusTest
class WireFormatTest extends HttpTestBase {

    private GeminiStandIn.Recorded send(String event) {
        post(event).statusCode(200);
        assertEquals(1, gemini().calls());
        return gemini().lastRequest();
    }

    @Test
    void pathHeaderAndNoKeyInTheUrl() {
        GeminiStandIn.Recorded r = send("{\"prompt\":\"a cat\"}");
        assertEquals("POST", r.method());
        assertEquals("/v1beta/models/gemini-3.1-flash-image:generateContent", r.path());
        assertNull(r.query(), "no query string, so no ?key=");
        assertEquals(LocalStackResource.API_KEY, r.header("x-goog-api-key"));
        assertTrue(r.header("Content-Type").startsWith("application/json"));
    }

    @Test
    void imageConfigAndImageOnlyModalityByDefault() {
        JsonNode body = send("{\"prompt\":\"a cat\",\"aspectRatio\":\"21:9\",\"imageSize\":\"4k\"}").json();
        assertEquals("a cat", body.at("/contents/0/parts/0/text").asText());
        assertEquals("user", body.at("/contents/0/role").asText());
        assertEquals("21:9", body.at("/generationConfig/imageConfig/aspectRatio").asText());
        assertEquals("4K", body.at("/generationConfig/imageConfig/imageSize").asText(), "normalised to uppercase K");
        assertEquals("[\"IMAGE\"]", body.at("/generationConfig/responseModalities").toString());
        assertTrue(body.at("/generationConfig/responseFormat").isMissingNode(), "never the article's responseFormat");
        assertFalse(body.toString().contains("responseFormat"));
        assertTrue(body.at("/generationConfig/thinkingConfig").isMissingNode());
        assertTrue(body.at("/tools").isMissingNode());
    }

    @Test
    void halfKIsSentAs512() {
        JsonNode body = send("{\"prompt\":\"small\",\"imageSize\":\"0.5K\"}").json();
        assertEquals("512", body.at("/generationConfig/imageConfig/imageSize").asText());
        assertTrue(body.at("/generationConfig/imageConfig/aspectRatio").isMissingNode());
    }

    @Test
    void textThinkingGroundingAndSeed() {
        JsonNode body = send("{\"prompt\":\"news\",\"includeText\":true,\"thinking\":\"high\",\"grounding\":true,"
                + "\"seed\":42}").json();
        assertEquals("[\"TEXT\",\"IMAGE\"]", body.at("/generationConfig/responseModalities").toString());
        assertEquals("HIGH", body.at("/generationConfig/thinkingConfig/thinkingLevel").asText());
        assertTrue(body.at("/tools/0/googleSearch").isObject());
        assertEquals(42, body.at("/generationConfig/seed").asInt());
    }

    @Test
    void modelsPrefixAndAliasesBecomeThePlainId() {
        send("{\"prompt\":\"x\",\"model\":\"models/gemini-2.5-flash-image\"}");
        assertEquals("/v1beta/models/gemini-2.5-flash-image:generateContent", gemini().lastRequest().path());
        gemini().reset();
        send("{\"prompt\":\"x\",\"model\":\"nano-banana-2\"}");
        assertEquals("/v1beta/models/gemini-3.1-flash-image:generateContent", gemini().lastRequest().path());
    }
}
