package dev.imagefn.http;

import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.LocalStackResource;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/** The Gemini API key never shows up in a response or a log line, even when Gemini echoes it back. */
@QuarkusTest
class SecretsTest extends HttpTestBase {
    private static final String KEY = LocalStackResource.API_KEY;

    @Test
    void apiKeyIsNeverEchoedOrLogged() throws Exception {
        gemini().enqueue(Reply.raw(400, "{\"error\":{\"code\":400,\"message\":\"API key not valid: " + KEY
                + "\",\"status\":\"INVALID_ARGUMENT\"}}"));
        post("{\"prompt\":\"x\"}").statusCode(502).body(not(containsString(KEY))).body(not(containsString("AIza")));
        gemini().enqueue(Reply.error(500, "INTERNAL", "backend saw key " + KEY, null),
                Reply.error(500, "INTERNAL", "backend saw key " + KEY, null),
                Reply.error(500, "INTERNAL", "backend saw key " + KEY, null),
                Reply.error(500, "INTERNAL", "backend saw key " + KEY, null),
                Reply.error(500, "INTERNAL", "backend saw key " + KEY, null));
        post("{\"prompt\":\"x\"}").statusCode(503).body(not(containsString(KEY)));
        gemini().enqueue(Reply.image().truncated());
        post("{\"prompt\":\"x\"}").statusCode(502).body(not(containsString(KEY)));
        post("{\"prompt\":\"x\"}").statusCode(200).body(not(containsString(KEY)));
        post("{\"prompt\":\"x\",\"model\":\"gone-model\"}").statusCode(502).body(not(containsString(KEY)));

        Path log = Path.of("target/quarkus-test.log");
        assertTrue(Files.exists(log), "the test profile logs to " + log);
        String text = Files.readString(log);
        assertTrue(text.contains("UPSTREAM_AUTH"), "the failures above were logged, so the check below is real");
        assertFalse(text.contains(KEY), "the API key appears in the log");
        assertFalse(text.contains(Base64.getEncoder().encodeToString(KEY.getBytes())), "the API key appears (base64) in the log");
    }
}
