package dev.imagefn.testing;

import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.common.QuarkusTestResource;
import io.restassured.response.ValidatableResponse;
import jakarta.inject.Inject;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** Shared by the HTTP tests: the local stack, a clean stand-in per test, and ways to look into the bucket. */
@QuarkusTestResource(LocalStackResource.class)
public abstract class HttpTestBase {
    protected static final String BUCKET = "images";

    @Inject
    protected S3Client s3;

    @BeforeEach
    void resetStandIn() {
        gemini().reset();
    }

    protected static GeminiStandIn gemini() {
        return LocalStackResource.gemini();
    }

    protected static ValidatableResponse post(String json) {
        return given().contentType("application/json").body(json).when().post("/v1/images").then();
    }

    /** Every object of the bucket but the idempotency records. */
    protected Set<String> keys() {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(o -> o.key())
                .filter(k -> !k.contains("/.idempotency/"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    protected Set<String> idempotencyRecords() {
        return s3.listObjectsV2Paginator(b -> b.bucket(BUCKET)).contents().stream().map(o -> o.key())
                .filter(k -> k.contains("/.idempotency/"))
                .collect(Collectors.toCollection(TreeSet::new));
    }

    protected byte[] object(String key) {
        ResponseBytes<GetObjectResponse> bytes = s3.getObjectAsBytes(b -> b.bucket(BUCKET).key(key));
        return bytes.asByteArray();
    }

    protected HeadObjectResponse head(String key) {
        return s3.headObject(b -> b.bucket(BUCKET).key(key));
    }

    protected void createBucket(String name) {
        try {
            s3.createBucket(b -> b.bucket(name));
        } catch (software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException
                | software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException e) {
            // made by an earlier test
        }
    }

    /** Runs {@code call} and checks that it left the bucket as it found it. */
    protected void assertNoObjectLeft(Runnable call) {
        Set<String> before = keys();
        call.run();
        assertEquals(before, keys(), "a failed call must not leave an object behind");
    }
}
