package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** A presigned URL that Gemini echoes in an error keeps its path, never its signature. */
class GeminiErrorUrlRedactionTest {

    @Test
    void theQueryOfAnEchoedUrlIsRedacted() {
        String body = "{\"error\":{\"code\":400,\"status\":\"INVALID_ARGUMENT\",\"message\":\"Cannot fetch content "
                + "from https://refs.s3.amazonaws.com/in/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature="
                + "0123abcd. Check the URL.\"}}";
        assertEquals("Cannot fetch content from https://refs.s3.amazonaws.com/in/a.png?[redacted] Check the URL.",
                GeminiError.parse(400, body.getBytes(StandardCharsets.UTF_8)).safeMessage("test-key-0123456789"));
    }
}
