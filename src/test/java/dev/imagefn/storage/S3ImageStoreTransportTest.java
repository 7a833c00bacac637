package dev.imagefn.storage;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.testing.TestConfig;
import dev.imagefn.testing.TestImages;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectRequest;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/**
 * Transport failures that the SDK's HTTP layer lets through unwrapped (the url-connection client throws
 * {@link UncheckedIOException} when a connection drops mid-body) are STORAGE_UNAVAILABLE in every method.
 */
class S3ImageStoreTransportTest {

    /** An S3 client whose every call fails the way a broken connection does. */
    private static S3Client failing(Supplier<RuntimeException> failure) {
        return new S3Client() {
            @Override
            public HeadObjectResponse headObject(HeadObjectRequest r) {
                throw failure.get();
            }

            @Override
            public ListObjectsV2Response listObjectsV2(ListObjectsV2Request r) {
                throw failure.get();
            }

            @Override
            public PutObjectResponse putObject(PutObjectRequest r, RequestBody body) {
                throw failure.get();
            }

            @Override
            public DeleteObjectResponse deleteObject(DeleteObjectRequest r) {
                throw failure.get();
            }

            @Override
            public ResponseInputStream<GetObjectResponse> getObject(GetObjectRequest r) {
                throw failure.get();
            }

            @Override
            public String serviceName() {
                return "s3";
            }

            @Override
            public void close() {
            }
        };
    }

    private static void assertStorageUnavailable(Executable call) {
        ImageFnException e = assertThrows(ImageFnException.class, call);
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code(), e.detail());
    }

    @Test
    void everyMethodMapsTransportFailures() {
        S3Presigner presigner = S3Presigner.builder().region(Region.US_EAST_1)
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"))).build();
        GeneratedImage image = new GeneratedImage(ImageFormat.PNG, ImageBytes.of(TestImages.png(4, 4, 1, 0)), 4, 4);
        for (Supplier<RuntimeException> failure : java.util.List.<Supplier<RuntimeException>>of(
                () -> new UncheckedIOException(new IOException("Connection reset")),
                () -> new IllegalStateException("Connection pool shut down"))) {
            S3ImageStore store = new S3ImageStore(failing(failure), presigner, TestConfig.defaults());
            assertStorageUnavailable(() -> store.head("k.png"));
            assertStorageUnavailable(() -> store.headObject("refs", "r.png"));
            assertStorageUnavailable(() -> store.getDocument("d.json"));
            assertStorageUnavailable(() -> store.createDocument("d.json", new byte[] {'{', '}'}));
            assertStorageUnavailable(() -> store.replaceDocument("d.json", new byte[] {'{', '}'}, "\"e\""));
            assertStorageUnavailable(() -> store.deleteDocument("d.json", "\"e\""));
            assertStorageUnavailable(() -> store.put("k.png", image, Map.of("sha256", image.bytes().sha256Hex()), true));
            assertStorageUnavailable(() -> store.put("k.png", image, Map.of(), false));
            assertStorageUnavailable(() -> store.delete("k.png"));
            assertStorageUnavailable(() -> store.readObject("refs", "r.png", 1000));
            assertStorageUnavailable(() -> store.putDocument("f.json", new byte[] {'{', '}'}, "application/json"));
        }
    }
}
