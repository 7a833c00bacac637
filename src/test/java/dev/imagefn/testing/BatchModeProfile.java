package dev.imagefn.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.Map;

/** Batch mode, under its own prefix; requests over 3000 bytes in all go as a JSONL file. */
public class BatchModeProfile implements QuarkusTestProfile {
    public static final String PREFIX = "batched/";

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("imagefn.pipeline.mode", "batch", "imagefn.storage.prefix", PREFIX,
                "imagefn.pipeline.batch-inline-max-bytes", "3000");
    }
}
