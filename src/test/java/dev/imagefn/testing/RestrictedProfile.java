package dev.imagefn.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** An inbound bearer token and a small body limit. */
public class RestrictedProfile implements QuarkusTestProfile {
    public static final String TOKEN = "test-bearer-token-7f3a";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("imagefn.auth.token", TOKEN, "imagefn.limits.max-body-bytes", "100000");
    }
}
