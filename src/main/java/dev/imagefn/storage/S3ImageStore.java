package dev.imagefn.storage;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageStore;
import dev.imagefn.core.StoredMetadata;
import dev.imagefn.core.batch.BatchDocuments;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.BucketAlreadyOwnedByYouException;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.presigner.S3Presigner;

/** {@link ImageStore} on S3 or any S3-compatible store (MinIO, R2, S3Proxy), through the AWS SDK v2. */
@ApplicationScoped
public class S3ImageStore implements ImageStore, BatchDocuments {
    private static final Logger LOG = Logger.getLogger(S3ImageStore.class);

    private final S3Client s3;
    private final S3Presigner presigner;
    private final String bucket;
    private final boolean sendChecksum;
    private final boolean createBucket;

    @Inject
    public S3ImageStore(S3Client s3, S3Presigner presigner, ImagefnConfig config) {
        this.s3 = s3;
        this.presigner = presigner;
        this.bucket = config.storage().bucket();
        String checksums = config.storage().checksums().strip().toLowerCase(java.util.Locale.ROOT);
        if (!checksums.equals("when-supported") && !checksums.equals("when-required")) {
            throw new IllegalStateException("imagefn.storage.checksums must be when-supported or when-required, not '"
                    + config.storage().checksums() + "'");
        }
        this.sendChecksum = checksums.equals("when-supported");
        Duration ttl = config.storage().presignTtl();
        if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(7)) > 0) {
            throw new IllegalStateException("imagefn.storage.presign-ttl must be between 1s and 7d (S3's limit for "
                    + "presigned URLs), not " + ttl);
        }
        this.createBucket = config.storage().createBucket();
    }

    void onStart(@Observes StartupEvent event) {
        if (!createBucket) {
            return;
        }
        try {
            s3.headBucket(b -> b.bucket(bucket));
        } catch (NoSuchBucketException e) {
            createBucket();
        } catch (S3Exception e) {
            if (e.statusCode() != 404) {
                throw e;
            }
            createBucket();
        }
    }

    private void createBucket() {
        try {
            s3.createBucket(b -> b.bucket(bucket));
            LOG.infof("created bucket %s", bucket);
        } catch (BucketAlreadyOwnedByYouException e) {
            // Another instance starting at the same moment created it.
        }
    }

    @Override
    public String bucket() {
        return bucket;
    }

    @Override
    public Optional<StoredObject> head(String key) {
        try {
            HeadObjectResponse h = s3.headObject(b -> b.bucket(bucket).key(key));
            return Optional.of(new StoredObject(key, h.contentType(), h.contentLength(),
                    MetadataValues.decoded(h.metadata())));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw unavailable("HEAD " + key, e);
        } catch (RuntimeException e) {
            throw unavailable("HEAD " + key, e);
        }
    }

    @Override
    public StoredObject put(String key, GeneratedImage image, Map<String, String> metadata, boolean ifAbsent,
            Deadline by) {
        String sha256 = metadata.get(StoredMetadata.SHA256);
        PutObjectRequest.Builder request = PutObjectRequest.builder()
                .bucket(bucket)
                .key(key)
                .contentType(image.mimeType())
                .contentLength(image.bytes().length())
                .metadata(metadata);
        if (sendChecksum && sha256 != null) {
            request.checksumSHA256(Base64.getEncoder().encodeToString(HexFormat.of().parseHex(sha256)));
        }
        if (ifAbsent) {
            request.ifNoneMatch("*");
        }
        if (by != null) {
            // The SDK's retries included; a PUT past it fails rather than outlive what it was bounded by.
            request.overrideConfiguration(o -> o.apiCallTimeout(Duration.ofMillis(Math.max(1,
                    by.remaining().toMillis()))));
        }
        RequestBody body = RequestBody.fromContentProvider(() -> image.bytes().open(), image.bytes().length(),
                image.mimeType());
        try {
            s3.putObject(request.build(), body);
            return new StoredObject(key, image.mimeType(), image.bytes().length(), metadata);
        } catch (S3Exception e) {
            if (ifAbsent && (e.statusCode() == 412 || e.statusCode() == 409)) {
                return resolveConflict(key, sha256);
            }
            throw unavailable("PUT " + key, e);
        } catch (RuntimeException e) {
            throw unavailable("PUT " + key, e);
        }
    }

    /**
     * A 412 on a conditional PUT is either another writer's object, or our own first attempt that stored
     * the bytes before the SDK retried it. The stored checksum tells which.
     */
    private StoredObject resolveConflict(String key, String sha256) {
        StoredObject existing = head(key).orElseThrow(() -> new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE,
                "conditional write of " + key + " was refused but the object is not there; try again"));
        if (sha256 != null && sha256.equals(existing.metadata().get(StoredMetadata.SHA256))) {
            return existing;
        }
        throw new AlreadyExists(existing);
    }

    @Override
    public void delete(String key) {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key));
        } catch (RuntimeException e) {
            throw unavailable("DELETE " + key, e);
        }
    }

    @Override
    public StoredBytes readObject(String fromBucket, String key, long maxBytes, String etag) {
        String uri = "s3://" + fromBucket + "/" + key;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(fromBucket).key(key)
                .ifMatch(etag))) {
            Long length = in.response().contentLength();
            if (length != null && length > maxBytes) {
                throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, uri + " has " + length
                        + " bytes; the limit is " + maxBytes);
            }
            byte[] data = in.readNBytes((int) Math.min(maxBytes + 1, Integer.MAX_VALUE - 8));
            if (data.length > maxBytes) {
                throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, uri + " is larger than the limit of "
                        + maxBytes + " bytes");
            }
            return new StoredBytes(data, in.response().contentType(),
                    MetadataValues.decoded(in.response().metadata()));
        } catch (ImageFnException e) {
            throw e;
        } catch (RuntimeException | IOException e) {
            throw readFailure(uri, e);
        }
    }

    @Override
    public byte[] readPrefix(String fromBucket, String key, int bytes) {
        String uri = "s3://" + fromBucket + "/" + key;
        try (ResponseInputStream<GetObjectResponse> in = s3.getObject(b -> b.bucket(fromBucket).key(key)
                .range("bytes=0-" + (bytes - 1)))) {
            return in.readNBytes(bytes);
        } catch (S3Exception e) {
            if (e.statusCode() == 416) {
                return new byte[0]; // an empty object has no first byte to range over
            }
            throw readFailure(uri, e);
        } catch (RuntimeException | IOException e) {
            throw readFailure(uri, e);
        }
    }

    @Override
    public URI presignRead(String fromBucket, String key, String contentType, Duration ttl) {
        try {
            return presigner.presignGetObject(p -> p.signatureDuration(ttl).getObjectRequest(g -> g.bucket(fromBucket)
                    .key(key).responseContentType(contentType))).url().toURI();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw unavailable("presign s3://" + fromBucket + "/" + key, e);
        }
    }

    /** A failed read of a reference object: missing, forbidden, or the store failing. */
    private static ImageFnException readFailure(String uri, Exception e) {
        if (e instanceof NoSuchKeyException || e instanceof NoSuchBucketException
                || e instanceof S3Exception s3e && s3e.statusCode() == 404) {
            return new ImageFnException(ErrorCode.REFERENCE_NOT_FOUND, uri + " does not exist");
        }
        if (e instanceof S3Exception s3e && s3e.statusCode() == 403) {
            return new ImageFnException(ErrorCode.REFERENCE_FORBIDDEN, "no permission to read " + uri);
        }
        if (e instanceof S3Exception s3e && s3e.statusCode() == 412) {
            return new ImageFnException(ErrorCode.REFERENCE_NOT_FOUND, uri + " was replaced since it was looked up");
        }
        return unavailable("GET " + uri, e);
    }

    @Override
    public void putDocument(String key, byte[] body, String contentType) {
        try {
            s3.putObject(b -> b.bucket(bucket).key(key).contentType(contentType).contentLength((long) body.length),
                    RequestBody.fromBytes(body));
        } catch (RuntimeException e) {
            throw unavailable("PUT " + key, e);
        }
    }

    @Override
    public URI presign(String key, Duration ttl) {
        try {
            return presigner.presignGetObject(p -> p.signatureDuration(ttl)
                    .getObjectRequest(g -> g.bucket(bucket).key(key))).url().toURI();
        } catch (java.net.URISyntaxException | RuntimeException e) {
            throw unavailable("presign " + key, e);
        }
    }

    @Override
    public Optional<ObjectInfo> headObject(String fromBucket, String key) {
        try {
            HeadObjectResponse h = s3.headObject(b -> b.bucket(fromBucket).key(key));
            return Optional.of(new ObjectInfo(fromBucket, key, h.eTag(), h.contentLength(), h.contentType(),
                    MetadataValues.decoded(h.metadata())));
        } catch (NoSuchKeyException | NoSuchBucketException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            if (e.statusCode() == 403) {
                throw new ImageFnException(ErrorCode.REFERENCE_FORBIDDEN, "no permission to read s3://" + fromBucket
                        + "/" + key);
            }
            throw unavailable("HEAD s3://" + fromBucket + "/" + key, e);
        } catch (RuntimeException e) {
            throw unavailable("HEAD s3://" + fromBucket + "/" + key, e);
        }
    }

    @Override
    public Optional<Document> getDocument(String key) {
        try {
            var bytes = s3.getObjectAsBytes(b -> b.bucket(bucket).key(key));
            return Optional.of(new Document(bytes.asByteArray(), bytes.response().eTag()));
        } catch (NoSuchKeyException e) {
            return Optional.empty();
        } catch (S3Exception e) {
            if (e.statusCode() == 404) {
                return Optional.empty();
            }
            throw unavailable("GET " + key, e);
        } catch (RuntimeException e) {
            throw unavailable("GET " + key, e);
        }
    }

    @Override
    public boolean createDocument(String key, byte[] body) {
        return conditionalPut(key, body, b -> b.ifNoneMatch("*"));
    }

    @Override
    public boolean replaceDocument(String key, byte[] body, String etag) {
        return conditionalPut(key, body, b -> b.ifMatch(etag));
    }

    private boolean conditionalPut(String key, byte[] body, java.util.function.Consumer<PutObjectRequest.Builder> condition) {
        PutObjectRequest.Builder request = PutObjectRequest.builder().bucket(bucket).key(key)
                .contentType("application/json").contentLength((long) body.length);
        condition.accept(request);
        try {
            s3.putObject(request.build(), RequestBody.fromBytes(body));
            return true;
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 409) {
                return false;
            }
            throw unavailable("PUT " + key, e);
        } catch (RuntimeException e) {
            // A store that refuses the condition before reading the body (S3Proxy after Expect: 100-continue) makes
            // the url-connection client fail while writing it: what is stored now tells whether ours landed.
            return getDocument(key).map(d -> java.util.Arrays.equals(d.body(), body)).orElse(false);
        }
    }

    @Override
    public void deleteDocument(String key, String etag) {
        try {
            s3.deleteObject(b -> b.bucket(bucket).key(key).ifMatch(etag));
        } catch (S3Exception e) {
            if (e.statusCode() == 412 || e.statusCode() == 404) {
                return;
            }
            if (e.statusCode() == 501 || e.statusCode() == 400) {
                // A store without conditional deletes: an unconditional one could remove a record another
                // instance holds now, so the record is left to expire with its lease.
                return;
            }
            throw unavailable("DELETE " + key, e);
        } catch (RuntimeException e) {
            throw unavailable("DELETE " + key, e);
        }
    }

    /**
     * Every failure of a call to the store, S3 errors and transport failures alike: the SDK's HTTP layer lets
     * some through unwrapped (the url-connection client's UncheckedIOException when a connection drops).
     */
    @Override
    public java.util.List<String> listKeys(String prefix, int max) {
        java.util.List<String> keys = new java.util.ArrayList<>();
        try {
            for (var page : s3.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix))) {
                for (var o : page.contents()) {
                    if (keys.size() >= max) {
                        return keys;
                    }
                    keys.add(o.key());
                }
            }
        } catch (RuntimeException e) {
            throw unavailable("LIST " + prefix, e);
        }
        return keys;
    }

    private static ImageFnException unavailable(String what, Exception e) {
        String detail = e instanceof S3Exception s3e && s3e.awsErrorDetails() != null
                ? s3e.statusCode() + " " + s3e.awsErrorDetails().errorCode()
                : e instanceof java.io.UncheckedIOException && e.getCause() != null
                        ? e.getCause().getClass().getSimpleName() : e.getClass().getSimpleName();
        return new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "object storage failed: " + what + " (" + detail
                + ")", e);
    }
}
