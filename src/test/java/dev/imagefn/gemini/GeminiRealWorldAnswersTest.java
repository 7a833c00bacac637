package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.core.Hashes;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Recorded Gemini answers (src/test/resources/realworld/gemini) through the streaming reader. */
class GeminiRealWorldAnswersTest {
    private final GeminiResponseReader reader = new GeminiResponseReader(64L << 20, 8);

    @ParameterizedTest
    @ValueSource(strings = {"pydantic-ai__vertex-gemini-2.5-flash-image-jpeg-only",
            "vertexai-sdk-test-data__image-only-empty-safety-ratings"})
    void anImageAnswerGivesItsBytes(String name) throws IOException {
        byte[] body = load(name);
        GeminiResponse r = reader.read(new ByteArrayInputStream(body));
        assertEquals(1, r.images().size());
        JsonNode part = new ObjectMapper().readTree(body).findValue("inlineData");
        byte[] expected = Base64.getDecoder().decode(part.get("data").asText());
        assertEquals(HexFormat.of().formatHex(Hashes.sha256(expected, expected.length)),
                r.images().get(0).bytes().sha256Hex());
        assertEquals(part.get("mimeType").asText(), r.images().get(0).mimeType());
    }

    @ParameterizedTest
    @ValueSource(strings = {"vertexai-sdk-test-data__thought-summary-plus-answer",
            "pydantic-ai__gemini-3-thought-part-plus-signed-text", "js-genai__recording-thought-only-max-tokens",
            "pydantic-ai__max-tokens-no-parts-servicetier", "pydantic-ai__finish-safety-content-empty-object",
            "vertexai-sdk-test-data__malformed-content", "js-genai__mldev-final-chunk"})
    void anAnswerWithoutAnImageIsReadToTheEnd(String name) throws IOException {
        GeminiResponse r = reader.read(new ByteArrayInputStream(load(name)));
        assertEquals(0, r.images().size());
        assertNotNull(r.usage());
    }

    @org.junit.jupiter.api.Test
    void aBlockedPromptGivesItsReason() throws IOException {
        GeminiResponse r = reader.read(new ByteArrayInputStream(load("vertexai-sdk-test-data__prompt-blocked-safety-with-message")));
        assertEquals("SAFETY", r.blockReason());
        assertNotNull(r.blockReasonMessage());
        assertNull(r.text());
    }

    private static byte[] load(String name) throws IOException {
        try (InputStream in = GeminiRealWorldAnswersTest.class.getResourceAsStream("/realworld/gemini/gemini__" + name
                + ".json")) {
            return in.readAllBytes();
        }
    }
}
