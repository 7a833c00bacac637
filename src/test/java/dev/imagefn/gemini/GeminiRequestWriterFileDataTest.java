package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ReferenceImage;
import dev.imagefn.core.ReferencePart;
import dev.imagefn.testing.TestImages;
import java.net.URI;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A reference that goes by URL is a {@code fileData} part, in its place among the inline ones. */
class GeminiRequestWriterFileDataTest {

    @Test
    void byUrlIsFileDataInlineIsInlineDataInOrder() throws Exception {
        byte[] png = TestImages.png(4, 4, 0x112233, 0);
        String uri = "https://refs.s3.eu-west-1.amazonaws.com/in/a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=abc";
        GenerationRequest r = new GenerationRequest("m", "edit", null, null, List.of(
                new ReferencePart.ByUrl("image/jpeg", URI.create(uri), 9_000_000),
                new ReferenceImage.Inline(null, png)), false, null, false, null);
        JsonNode parts = new ObjectMapper().readTree(GeminiRequestWriter.write(r)).at("/contents/0/parts");
        assertEquals(3, parts.size());
        assertEquals("edit", parts.get(0).get("text").asText());
        JsonNode file = parts.get(1);
        assertEquals(1, file.size(), file.toString());
        assertEquals("image/jpeg", file.at("/fileData/mimeType").asText());
        assertEquals(uri, file.at("/fileData/fileUri").asText());
        assertEquals(2, file.get("fileData").size());
        assertEquals("image/png", parts.get(2).at("/inlineData/mimeType").asText());
        assertArrayEquals(png, Base64.getDecoder().decode(parts.get(2).at("/inlineData/data").asText()));
        assertTrue(parts.get(2).at("/fileData").isMissingNode());
    }
}
