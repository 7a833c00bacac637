package dev.imagefn.lifecycle;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Rerouted answers, retired models and the 2.1 catalogue entry, with fallback-to-successor off (the default). */
@QuarkusTest
class ModelLifecycleTest extends HttpTestBase {
    @Inject
    MeterRegistry registry;

    private double rerouted(String requested, String served) {
        Counter c = registry.find("imagefn.model.rerouted").tags("requested", requested, "served", served).counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void anAnswerFromAnotherModelIsMarkedReroutedAndCounted() {
        double before = rerouted("gemini-3.1-flash-image", "gemini-nano-banana-2.1");
        gemini().enqueue(Reply.image().modelVersion("gemini-nano-banana-2.1"));
        post("{\"prompt\":\"a fox\"}").statusCode(200)
                .body("model", equalTo("gemini-3.1-flash-image"))
                .body("modelVersion", equalTo("gemini-nano-banana-2.1"))
                .body("rerouted", equalTo(true))
                .body("fallback", nullValue());
        assertEquals(before + 1, rerouted("gemini-3.1-flash-image", "gemini-nano-banana-2.1"));
    }

    @Test
    void aVersionSuffixOfTheSameModelIsNotARerouting() {
        double before = registry.find("imagefn.model.rerouted").counters().stream().mapToDouble(Counter::count).sum();
        gemini().enqueue(Reply.image().modelVersion("gemini-3.1-flash-image-001"));
        post("{\"prompt\":\"a fox\"}").statusCode(200)
                .body("modelVersion", equalTo("gemini-3.1-flash-image-001"))
                .body("rerouted", equalTo(false));
        assertEquals(before, registry.find("imagefn.model.rerouted").counters().stream()
                .mapToDouble(Counter::count).sum());
    }

    @Inject
    dev.imagefn.core.ModelCatalogue catalogue;

    /** A retired preview's successor is deprecated too: the suggestion is the end of the chain, not a deprecated ID. */
    @Test
    void theSuggestionFollowsTheSuccessorsToTheLastOne() {
        assertEquals("gemini-nano-banana-2.1", catalogue.successorOf("gemini-3.1-flash-image-preview"));
        assertEquals("gemini-nano-banana-2.1", catalogue.successorOf("gemini-2.0-flash-preview-image-generation"));
        assertEquals("gemini-nano-banana-2.1", catalogue.successorOf("gemini-3.1-flash-image"));
        assertEquals("gemini-3-pro-image", catalogue.successorOf("gemini-3-pro-image-preview"));
    }

    @Test
    void aRetiredModelNamesItsSuccessorAndIsNotRetriedWithoutFallback() {
        gemini().retire("gemini-3.1-flash-image");
        assertNoObjectLeft(() -> post("{\"prompt\":\"a fox\"}").statusCode(502)
                .body("code", equalTo("MODEL_UNAVAILABLE"))
                .body("suggestedModel", equalTo("gemini-nano-banana-2.1"))
                .body("detail", containsString("gemini-nano-banana-2.1")));
        assertEquals(1, gemini().calls(), "no second call when fallback-to-successor is off");
    }

    @Test
    void nanoBanana21RefusesSize512BeforeAnyCall() {
        post("{\"prompt\":\"a fox\",\"model\":\"gemini-nano-banana-2.1\",\"imageSize\":\"512\"}").statusCode(400)
                .body("code", equalTo("INVALID_REQUEST")).body("detail", containsString("1K, 2K, 4K"));
        post("{\"prompt\":\"a fox\",\"model\":\"gemini-nano-banana-2.1\",\"thinking\":\"medium\",\"imageSize\":\"4K\","
                + "\"aspectRatio\":\"8:1\"}").statusCode(200).body("model", equalTo("gemini-nano-banana-2.1"))
                .body("rerouted", equalTo(false)).body("cost.usd", nullValue());
        post("{\"prompt\":\"a fox\",\"model\":\"gemini-nano-banana-2.1\"}").statusCode(200)
                .body("cost.usd", equalTo(0.0336f)).body("cost.basis", equalTo("gemini-nano-banana-2.1 1K standard"));
        assertEquals(2, gemini().calls());
    }
}
