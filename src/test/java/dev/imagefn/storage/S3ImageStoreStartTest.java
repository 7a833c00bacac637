package dev.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefn.testing.TestConfig;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyExistsException;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.CreateBucketRequest;
import software.amazon.awssdk.services.s3.model.CreateBucketResponse;
import software.amazon.awssdk.services.s3.model.HeadBucketRequest;
import software.amazon.awssdk.services.s3.model.HeadBucketResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** imagefn.storage.create-bucket when several instances start at once. */
class S3ImageStoreStartTest {
    private final AtomicInteger creates = new AtomicInteger();

    /** The bucket is missing at the HEAD; the CREATE then answers {@code onCreate}. */
    private S3ImageStore store(Supplier<S3Exception> onCreate) {
        S3Client s3 = new S3Client() {
            @Override
            public HeadBucketResponse headBucket(HeadBucketRequest r) {
                throw NoSuchBucketException.builder().statusCode(404).message("Not Found").build();
            }

            @Override
            public CreateBucketResponse createBucket(CreateBucketRequest r) {
                creates.incrementAndGet();
                throw onCreate.get();
            }

            @Override
            public String serviceName() {
                return "s3";
            }

            @Override
            public void close() {
            }
        };
        S3Presigner presigner = S3Presigner.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build();
        return new S3ImageStore(s3, presigner, TestConfig.of(Map.of("storage.create-bucket", "true")));
    }

    @Test
    void aBucketAnotherInstanceCreatedMeanwhileIsNoReasonToFailTheStart() {
        S3ImageStore store = store(() -> (S3Exception) BucketAlreadyOwnedByYouException.builder().statusCode(409)
                .message("Your previous request to create the named bucket succeeded and you already own it.")
                .build());
        assertDoesNotThrow(() -> store.onStart(null));
        assertEquals(1, creates.get());
    }

    @Test
    void aBucketSomeoneElseOwnsStillFailsTheStart() {
        S3ImageStore store = store(() -> (S3Exception) BucketAlreadyExistsException.builder().statusCode(409)
                .message("The requested bucket name is not available.").build());
        assertThrows(BucketAlreadyExistsException.class, () -> store.onStart(null));
    }
}
