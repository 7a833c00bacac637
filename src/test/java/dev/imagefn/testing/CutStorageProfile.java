package dev.imagefn.testing;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.List;

/** The function's S3 traffic goes through a {@link CuttingProxy}, so tests can drop a connection mid-upload. */
public class CutStorageProfile implements QuarkusTestProfile {
    @Override
    public List<TestResourceEntry> testResources() {
        return List.of(new TestResourceEntry(CuttingProxyResource.class));
    }
}
