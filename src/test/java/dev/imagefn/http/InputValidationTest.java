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

}
