package dev.imagefn.storage;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.CutStorageProfile;
import dev.imagefn.testing.CuttingProxyResource;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import dev.imagefn.testing.LocalStackResource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The connection to S3 is reset in the middle of the image's PUT body. */
@QuarkusTest
@TestProfile(CutStorageProfile.class)
class CutUploadTest extends HttpTestBase {

    @AfterEach
    void heal() {
        CuttingProxyResource.proxy().passThrough();
    }

    /**
     * Cut right after the PUT's headers, while the client waits for {@code 100 Continue} (the url-connection client
     * then throws an unwrapped UncheckedIOException), and cut in the middle of the body.
     */
    @Test
    void aPutCutMidUploadIsStorageUnavailableAndLeavesNothing() throws Exception {
        for (long cutAfter : new long[] {0, 64 * 1024}) {
            gemini().reset();
            // Larger than the loopback socket buffers, so a mid-body cut hits the client while it is still writing.
            gemini().enqueue(Reply.image().padTo(16 * 1024 * 1024));
            int cutsBefore = CuttingProxyResource.proxy().cuts();
            Set<Path> filesBefore = files();
            assertNoObjectLeft(() -> {
                CuttingProxyResource.proxy().cutPutsAfter(cutAfter);
                try {
                    post("{\"prompt\":\"cut me off\"}").statusCode(503).contentType("application/problem+json")
                            .body("code", equalTo("STORAGE_UNAVAILABLE")).body("retryable", equalTo(false));
                } finally {
                    CuttingProxyResource.proxy().passThrough();
                }
            });
            assertTrue(CuttingProxyResource.proxy().cuts() > cutsBefore, "the proxy cut the upload");
            assertEquals(1, gemini().calls());
            assertEquals(filesBefore, files(), "no partial or temporary file left in the store (cut after "
                    + cutAfter + " bytes)");
        }
    }

    private static Set<Path> files() throws IOException {
        try (Stream<Path> files = Files.walk(LocalStackResource.s3().dataDir())) {
            return files.filter(Files::isRegularFile).collect(Collectors.toSet());
        }
    }

    @Test
    void theSameUploadPassesWhenTheLinkHolds() {
        gemini().enqueue(Reply.image().padTo(256 * 1024));
        String key = post("{\"prompt\":\"steady\"}").statusCode(200).extract().path("key");
        assertTrue(keys().contains(key));
    }
}
