package dev.imagefn.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** A read timeout of one second for the call to Gemini (imagefn.gemini.timeout, 300 s by default). */
public class ShortGeminiTimeoutProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("imagefn.gemini.timeout", "1s");
    }
}
