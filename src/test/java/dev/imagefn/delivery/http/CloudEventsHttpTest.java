package dev.imagefn.delivery.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.delivery.CloudEvent;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Binary-mode {@code ce-} headers read as the HTTP binding (§3.1.3.2) says: unquoted, then percent-decoded. */
class CloudEventsHttpTest {

    private static CloudEvent event(Map<String, String> extra) {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        headers.putAll(Map.of("Content-Type", "application/json", "ce-specversion", "1.0", "ce-id", "e-1",
                "ce-source", "//knative/test", "ce-type", "dev.imagefn.image.requested"));
        headers.putAll(extra);
        return CloudEventsHttp.fromHttp(h -> headers.get(h.toLowerCase(Locale.ROOT)),
                "{\"prompt\":\"x\"}".getBytes(StandardCharsets.UTF_8));
    }

    private static ImageFnException refused(Map<String, String> extra) {
        ImageFnException e = assertThrows(ImageFnException.class, () -> event(extra));
        assertEquals(ErrorCode.INVALID_REQUEST, e.code(), e.getMessage());
        return e;
    }

    @Test
    void quotedValuesFromOlderSendersAreUnquotedBeforePercentDecoding() {
        assertEquals("dev.imagefn.image.requested", event(Map.of("ce-type", "\"dev.imagefn.image.requested\"")).type());
        assertEquals("say \"hi\" 100%", event(Map.of("ce-subject", "\"say \\\"hi\\\" 100%25\"")).subject());
        assertEquals("e-2", event(Map.of("ce-id", "\"e-2\"")).id());
        assertEquals("//knative/test", event(Map.of("ce-specversion", "\"1.0\"")).source(), "a quoted spec version");
        assertTrue(refused(Map.of("ce-id", "\"e-3")).getMessage().contains("quoted"));
        assertTrue(refused(Map.of("ce-id", "\"\"")).getMessage().contains("'id'"), "an empty id, once unquoted");
    }

    @Test
    void percentDecodingIsOneRoundOfUtf8AndRefusesBytesThatAreNot() {
        assertEquals("Euro \u20ac \ud83d\ude00", event(Map.of("ce-subject", "Euro%20%E2%82%AC%20%F0%9F%98%80")).subject());
        assertEquals("%41", event(Map.of("ce-subject", "%2541")).subject(), "one round only");
        assertEquals("a\u00e9", event(Map.of("ce-id", "a%c3%a9")).id(), "lower-case hex");
        // The binding's own example of what MUST be refused: an overlong encoding of U+0020.
        refused(Map.of("ce-id", "%C0%A0"));
        // Replaced by U+FFFD, these two ids would be one event, and the second skipped as its redelivery.
        refused(Map.of("ce-id", "job-%FF"));
        refused(Map.of("ce-id", "job-%FE"));
        assertEquals("%\u0663\u0663", event(Map.of("ce-subject", "%\u0663\u0663")).subject(), "ASCII hex digits only");
    }

    @Test
    void aTraceHeaderThatCannotBeReadStartsANewTraceInsteadOfFailingTheEvent() {
        Map<String, String> headers = Map.of("ce-traceparent", "00-%FF-01", "ce-tracestate", "\"k=v\"");
        assertEquals(Map.of("tracestate", "k=v"), EventTrace.of(headers::get, new byte[0]));
    }
}
