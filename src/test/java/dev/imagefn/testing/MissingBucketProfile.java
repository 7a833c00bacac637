package dev.imagefn.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Storage that cannot take the image: the bucket does not exist and is not created. */
public class MissingBucketProfile implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("imagefn.storage.bucket", "no-such-bucket", "imagefn.storage.create-bucket", "false");
    }
}
