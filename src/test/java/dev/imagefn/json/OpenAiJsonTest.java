package dev.imagefn.json;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefn.core.ImageFnException;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiJsonTest {
    private final OpenAiJson json = new OpenAiJson(64 * 1024);

    private OpenAiJson.Request read(String body) {
        return json.read(new ByteArrayInputStream(body.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void anUnknownFieldIsRefusedEvenWhenNull() {
        ImageFnException e = assertThrows(ImageFnException.class, () -> read("{\"prompt\":\"a\",\"bogus\":null}"));
        assertEquals("bogus", e.extensions().get("param"));
    }

    @Test
    void everyListedFieldIsTakenWhenNull() {
        for (String field : OpenAiJsonFields.names()) {
            assertDoesNotThrow(() -> read("{\"" + field + "\":null}"), field);
        }
    }
}
