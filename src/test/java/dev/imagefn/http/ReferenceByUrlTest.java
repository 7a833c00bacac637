package dev.imagefn.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.LocalStackResource;
import dev.imagefn.testing.TestImages;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.core.sync.RequestBody;

/**
 * Stored references at or above the threshold go to Gemini as a presigned URL that Gemini (the stand-in) fetches
 * from S3Proxy; smaller ones inline. S3Proxy is on 127.0.0.1, so the threshold is set explicitly.
 */
@QuarkusTest
@TestProfile(ReferenceByUrlTest.ByUrl.class)
class ReferenceByUrlTest extends HttpTestBase {
    static final int THRESHOLD = 4096;

    public static class ByUrl implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("imagefn.gemini.reference-url-threshold", Integer.toString(THRESHOLD));
        }
    }

    private void putReference(String key, byte[] data) {
        createBucket("refs");
        // A generic Content-Type, as SDK uploads often have: the first bytes say what it is.
        s3.putObject(b -> b.bucket("refs").key(key).contentType("application/octet-stream"),
                RequestBody.fromBytes(data));
    }

    @Test
    void aLargeReferenceGoesByUrlAndGeminiReadsExactlyItsBytes() throws Exception {
        byte[] large = TestImages.png(64, 64, 0x336699, THRESHOLD * 3);
        byte[] small = TestImages.jpeg(8, 8, 0x993366, 0);
        assertTrue(large.length >= THRESHOLD && small.length < THRESHOLD);
        putReference("url/large.png", large);
        putReference("url/small.jpg", small);
        post("{\"prompt\":\"combine\",\"referenceImages\":[{\"uri\":\"s3://refs/url/large.png\"},"
                + "{\"uri\":\"s3://refs/url/small.jpg\"}]}").statusCode(200);

        JsonNode parts = gemini().lastRequest().json().at("/contents/0/parts");
        assertEquals(3, parts.size());
        JsonNode file = parts.get(1);
        assertTrue(file.at("/inlineData").isMissingNode(), "by URL, not inline: " + file);
        assertEquals("image/png", file.at("/fileData/mimeType").asText());
        String uri = file.at("/fileData/fileUri").asText();
        assertTrue(uri.startsWith(LocalStackResource.s3().endpoint() + "/refs/url/large.png?"), uri);
        assertTrue(uri.contains("X-Amz-Signature="), uri);

        assertEquals(1, gemini().fetched().size());
        GeminiStandIn.Fetched fetched = gemini().fetched().get(0);
        assertEquals(uri, fetched.uri());
        assertEquals(200, fetched.status());
        assertArrayEquals(large, fetched.body(), "Gemini read the object's exact bytes through the URL");
        assertEquals("image/png", fetched.contentType(), "served as the type its bytes are, not octet-stream");

        assertEquals("image/jpeg", parts.get(2).at("/inlineData/mimeType").asText());
        assertArrayEquals(small, Base64.getDecoder().decode(parts.get(2).at("/inlineData/data").asText()));

        Matcher signature = Pattern.compile("X-Amz-Signature=([0-9a-f]+)").matcher(uri);
        assertTrue(signature.find());
        Path log = Path.of("target/quarkus-test.log");
        assertTrue(Files.exists(log));
        assertFalse(Files.readString(log).contains(signature.group(1)), "the URL's signature is never logged");
    }

    @Test
    void aReferenceBelowTheThresholdGoesInline() {
        byte[] small = TestImages.png(8, 8, 0x123456, 0);
        putReference("url/tiny.png", small);
        post("{\"prompt\":\"edit\",\"referenceImages\":[{\"uri\":\"s3://refs/url/tiny.png\"}]}").statusCode(200);
        JsonNode part = gemini().lastRequest().json().at("/contents/0/parts/1");
        assertTrue(part.at("/fileData").isMissingNode(), part.toString());
        assertArrayEquals(small, Base64.getDecoder().decode(part.at("/inlineData/data").asText()));
        assertEquals(0, gemini().fetched().size());
    }

    @Test
    void aLargeObjectThatIsNotAnImageIsRefusedBeforeThePaidCall() {
        putReference("url/notes.png", "not an image at all. ".repeat(THRESHOLD).getBytes());
        post("{\"prompt\":\"edit\",\"referenceImages\":[{\"uri\":\"s3://refs/url/notes.png\"}]}").statusCode(400)
                .body("code", equalTo("INVALID_REQUEST"));
        assertEquals(0, gemini().calls());
        assertEquals(0, gemini().fetched().size());
    }
}
