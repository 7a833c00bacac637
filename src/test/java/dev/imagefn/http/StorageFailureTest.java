package dev.imagefn.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.MissingBucketProfile;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

@QuarkusTest
@TestProfile(MissingBucketProfile.class)
class StorageFailureTest extends HttpTestBase {

    @Test
    void storageErrorsAreStorageUnavailable() {
        post("{\"prompt\":\"nowhere to put it\"}").statusCode(503).contentType("application/problem+json")
                .body("code", equalTo("STORAGE_UNAVAILABLE"))
                // Gemini was paid before the store failed: another delivery would pay again.
                .body("retryable", equalTo(false));
        assertEquals(1, gemini().calls());
    }
}
