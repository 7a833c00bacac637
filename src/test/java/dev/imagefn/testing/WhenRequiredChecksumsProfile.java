package dev.imagefn.testing;

import java.util.Map;

/** {@link CutStorageProfile} with {@code imagefn.storage.checksums=when-required}. */
public class WhenRequiredChecksumsProfile extends CutStorageProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("imagefn.storage.checksums", "when-required");
    }
}
