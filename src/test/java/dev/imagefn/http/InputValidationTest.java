package dev.imagefn.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import org.junit.jupiter.api.Test;

/** Text the caller controls (reference URIs, keys, idempotency keys, metadata names) is refused before paying. */
@QuarkusTest
class InputValidationTest extends HttpTestBase {

    private void refused(String event) {
        assertNoObjectLeft(() -> post(event).statusCode(400).body("code", equalTo("INVALID_REQUEST")));
    }

    /** {@code s} as a JSON string literal with every non-ASCII or control character escaped. */
    private static String json(String s) {
        StringBuilder b = new StringBuilder("\"");
        s.chars().forEach(c -> b.append(c < 0x20 || c > 0x7e || c == '"' || c == '\\'
                ? String.format("\\u%04x", c) : String.valueOf((char) c)));
        return b.append('"').toString();
    }

    @Test
    void referenceUrisAreBucketAndKeyOnly() {
        createBucket("refs");
        for (String uri : new String[] {"s3://refs/../private/x.png", "s3://refs/./x.png", "s3://refs/a//x.png",
                "s3://refs/a/", "s3://refs/a\\x.png", "s3://refs/a\u0000.png", "s3://refs/a\u0085.png",
                "s3://refs/a\u202e.png", "s3://refs/\ud800.png", "s3://REFS/x.png", "s3://re_fs/x.png",
                "s3://refs:443/x.png", "s3://user@refs/x.png", "s3://r/x.png", "s3:///refs/x.png", "s3://refs//x.png"}) {
            refused("{\"prompt\":\"x\",\"referenceImages\":[{\"uri\":" + json(uri) + "}]}");
        }
        assertEquals(0, gemini().calls());
    }

    @Test
    void keysWithCharactersThatDoNotSurviveStorageAreRefused() {
        for (String key : new String[] {"\ud800.png", "a\udc00b.png", "a\u0085.png", "a\u009f.png", "a\u007f.png",
                "a\u0001.png", "a\u061c.png", "a\u200e.png", "a\u200f.png", "a\u202a.png", "a\u202e.png",
                "a\u2066.png", "a\u2069.png"}) {
            refused("{\"prompt\":\"x\",\"key\":" + json(key) + "}");
        }
        assertEquals(0, gemini().calls());
    }

    @Test
    void theReportedKeyIsTheStoredKey() {
        String key = "unicode/caf\u00e9-\ud83d\uddbc.png";
        String reported = post("{\"prompt\":\"x\",\"key\":" + json(key) + "}").statusCode(200).extract().path("key");
        assertEquals("generated/" + key, reported);
        assertTrue(keys().contains(reported), "stored under exactly the reported key");
    }

    @Test
    void keysInReservedAreasAreRefused() {
        for (String key : new String[] {"failures/2026/01/01/x.json", "failures/x.png", ".idempotency/x.json",
                ".idempotency/a/b.png"}) {
            refused("{\"prompt\":\"x\",\"key\":" + json(key) + "}");
        }
        assertEquals(0, gemini().calls());
    }

    @Test
    void idempotencyKeysWithInvisibleOrUnencodableCharactersAreRefused() {
        for (String idem : new String[] {"\ud800", "a\udfffb", "a\u0085", "a\u202e", "a\u2066", "a\u0000"}) {
            refused("{\"prompt\":\"x\",\"idempotencyKey\":" + json(idem) + "}");
        }
        assertEquals(0, gemini().calls());
    }

    @Test
    void everyNameOnAStoredObjectIsReservedOrTheCallers() {
        gemini().enqueue(dev.imagefn.testing.Reply.image().images(2));
        String key = post("{\"prompt\":\"x\",\"idempotencyKey\":\"names-" + java.util.UUID.randomUUID()
                + "\",\"metadata\":{\"campaign\":\"autumn\"}}").statusCode(200).extract().path("key");
        java.util.Set<String> names = new java.util.TreeSet<>(head(key).metadata().keySet());
        names.remove("campaign");
        assertTrue(dev.imagefn.core.StoredMetadata.RESERVED.containsAll(names), names.toString());
        assertTrue(names.contains("images") && names.contains("idempotency-key-sha256"), names.toString());
    }

    @Test
    void everyMetadataNameTheFunctionWritesIsReserved() {
        for (String name : new String[] {"images", "model", "model-version", "prompt-sha256", "request-id", "sha256",
                "width", "height", "idempotency-key-sha256", "source-key", "source-bucket", "Images"}) {
            refused("{\"prompt\":\"x\",\"metadata\":{" + json(name) + ":\"1\"}}");
        }
        assertEquals(0, gemini().calls());
    }
}
