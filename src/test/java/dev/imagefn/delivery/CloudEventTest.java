package dev.imagefn.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Structured-mode CloudEvents as bytes: their data kept as sent, and what is not UTF-8 JSON refused, not a crash. */
class CloudEventTest {
    private static final String EVENT = "{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"//t\","
            + "\"type\":\"dev.imagefn.image.requested\",\"data\":{\"prompt\":\"a fox\"}}";

    @Test
    void theDataObjectIsKeptAsItsBytes() {
        CloudEvent e = CloudEvent.structured(EVENT.getBytes(StandardCharsets.UTF_8));
        assertEquals("{\"prompt\":\"a fox\"}", new String(e.data(), StandardCharsets.UTF_8));
    }

    @Test
    void utf16Or32IsRefusedAsAnInvalidRequest() {
        for (Charset cs : new Charset[] {StandardCharsets.UTF_16LE, StandardCharsets.UTF_16BE,
                Charset.forName("UTF-32LE")}) {
            ImageFnException e = assertThrows(ImageFnException.class, () -> CloudEvent.structured(EVENT.getBytes(cs)),
                    cs.name());
            assertEquals(ErrorCode.INVALID_REQUEST, e.code(), cs.name());
        }
    }

    @Test
    void dataBase64IsStandardBase64AndOtherCharactersAreRefusedNotSkipped() {
        String wrapped = "eyJwcm9tcHQi\\r\\nOiJhIGZveCJ9";
        assertEquals("{\"prompt\":\"a fox\"}", new String(CloudEvent.structured(withData(wrapped)).data(),
                StandardCharsets.UTF_8), "line breaks are allowed");
        for (String bad : new String[] {"eyJwcm9tcHQi!!OiJhIGZveCJ9", "eyJwcm9tcHQiOiJhIGZveCJ9?", "_-_-"}) {
            ImageFnException e = assertThrows(ImageFnException.class, () -> CloudEvent.structured(withData(bad)),
                    bad);
            assertEquals(ErrorCode.INVALID_REQUEST, e.code(), bad);
        }
    }

    @Test
    void anEnvelopeThatSaysTwoThingsIsRefused() {
        String head = EVENT.substring(0, EVENT.length() - 1);
        String dataBase64 = ",\"data_base64\":\"eyJwcm9tcHQiOiJhbm90aGVyIn0=\"";
        for (String bad : new String[] {
                EVENT + " {\"specversion\":\"1.0\",\"id\":\"e-2\"}", // a second event after the first
                head + ",\"id\":\"e-2\"}", // an attribute twice: which id is the event's?
                head + dataBase64 + "}", // data and data_base64 are mutually exclusive
        }) {
            ImageFnException e = assertThrows(ImageFnException.class,
                    () -> CloudEvent.structured(bad.getBytes(StandardCharsets.UTF_8)), bad);
            assertEquals(ErrorCode.INVALID_REQUEST, e.code(), bad);
        }
        assertEquals("{\"prompt\":\"a fox\"}", new String(CloudEvent.structured((head + ",\"data_base64\":null}")
                .getBytes(StandardCharsets.UTF_8)).data(), StandardCharsets.UTF_8), "a null member is an absent one");
    }

    private static byte[] withData(String base64) {
        return ("{\"specversion\":\"1.0\",\"id\":\"e-1\",\"source\":\"//t\",\"type\":\"dev.imagefn.image.requested\","
                + "\"data_base64\":\"" + base64 + "\"}").getBytes(StandardCharsets.UTF_8);
    }
}
