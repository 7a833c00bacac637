package dev.imagefn.delivery;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageStore;
import dev.imagefn.core.ObjectKeys;
import dev.imagefn.core.ReferenceImage;
import dev.imagefn.core.StoredMetadata;
import dev.imagefn.core.idempotency.IdempotencyKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * An object was created (S3 notification, EventBridge "Object Created", a Cloud Storage CloudEvent, any of them
 * via SQS): a {@code .json} object under the jobs prefix is an event; an image under the uploads prefix is edited
 * with the pipeline prompt (the object's {@code prompt} metadata wins). A storage event is a claim, not a fact:
 * the bucket must be one the pipeline is configured for, and the object is looked up first, so its real ETag and
 * size count, not the event's. The identity is bucket, key and that ETag: a redelivery never pays twice, a new
 * version of the object is a new job. The object is read with that ETag ({@code If-Match}), so the job that bears
 * a version's identity is made of that version's bytes. Object contents are never echoed: a failure record keeps
 * the event.
 */
@ApplicationScoped
public class StorageObjects {
    private final ImageStore store;
    private final EventBodies bodies;
    private final Deliveries deliveries;
    private final ImagefnConfig config;
    private final List<String> buckets;

    @Inject
    StorageObjects(ImageStore store, EventBodies bodies, Deliveries deliveries, ImagefnConfig config) {
        this.store = store;
        this.bodies = bodies;
        this.deliveries = deliveries;
        this.config = config;
        this.buckets = config.pipeline().buckets().filter(b -> !b.isEmpty()).orElse(List.of(store.bucket()));
        String out = config.storage().prefix();
        for (String in : List.of(config.pipeline().jobsPrefix(), config.pipeline().uploadsPrefix())) {
            if (!out.isEmpty() && in.startsWith(out)) {
                throw new IllegalStateException("imagefn.pipeline prefix '" + in + "' lies under the output prefix '"
                        + out + "': the function's own output would trigger it again");
            }
        }
    }

    /** {@code event} is the notification as it came, for a failure record. */
    public Outcome objectCreated(String bucket, String key, String event, String requestId, Deadline deadline) {
        String id = bucket + "/" + key;
        if (!buckets.contains(bucket)) {
            // Not ours to read, nor to fill with failure records: refused and acknowledged.
            return Outcome.failed(id, new ImageFnException(ErrorCode.REFERENCE_FORBIDDEN, "bucket '"
                    + EventBodies.ModelText.cut(bucket) + "' is not one the pipeline handles (imagefn.pipeline.buckets)"));
        }
        String outputPrefix = config.storage().prefix();
        if (bucket.equals(store.bucket()) && (outputPrefix.isEmpty() ? key.startsWith(ObjectKeys.FAILURES)
                || key.matches("\\d{4}/\\d{2}/\\d{2}/.*") || key.startsWith(ObjectKeys.IDEMPOTENCY)
                || key.startsWith(ObjectKeys.BATCHES)
                : key.startsWith(outputPrefix))) {
            return Outcome.skipped(id, "the function's own output");
        }
        boolean job = key.startsWith(config.pipeline().jobsPrefix()) && key.endsWith(".json");
        boolean upload = key.startsWith(config.pipeline().uploadsPrefix());
        if (!job && !upload) {
            return Outcome.skipped(id, "neither under the jobs prefix nor under the uploads prefix");
        }
        Delivery unverified = new Delivery("object", id, null, event, requestId, deadline);
        Optional<ImageStore.ObjectInfo> head;
        try {
            head = store.headObject(bucket, key);
        } catch (ImageFnException e) {
            return deliveries.fail(unverified, e);
        }
        if (head.isEmpty()) {
            return deliveries.fail(unverified, new ImageFnException(ErrorCode.REFERENCE_NOT_FOUND,
                    "s3://" + id + " does not exist (any more)"));
        }
        ImageStore.ObjectInfo object = head.get();
        String etag = object.etag() == null ? "" : object.etag().replace("\"", "");
        IdempotencyKey identity = IdempotencyKey.delivery("object", id + "@" + etag);
        Delivery delivery = new Delivery("object", id + "@" + etag, identity, event, requestId, deadline);
        long limit = job ? config.limits().maxBodyBytes() : config.limits().maxReferenceBytes();
        if (object.size() > limit) {
            return deliveries.fail(delivery, new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "s3://" + id + " has "
                    + object.size() + " bytes; the limit is " + limit));
        }
        if (upload && !job && !looksLikeImage(object)) {
            return Outcome.skipped(id, "not an image");
        }
        return deliveries.run(delivery, () -> job ? jobRequest(object, identity) : uploadRequest(object));
    }

    private ImageRequest jobRequest(ImageStore.ObjectInfo object, IdempotencyKey identity) {
        ImageStore.StoredBytes file = store.readObject(object.bucket(), object.key(), config.limits().maxBodyBytes(),
                object.etag());
        try {
            return bodies.read(file.data(), identity, false).request();
        } catch (ImageFnException e) {
            // The file's own text never reaches a reply, a log or a record.
            throw e.code() == ErrorCode.INVALID_REQUEST
                    ? ImageFnException.invalid("the job file is not a valid event: " + withoutQuotes(e.detail()))
                    : e;
        }
    }

    private ImageRequest uploadRequest(ImageStore.ObjectInfo object) {
        ImageStore.StoredBytes file = store.readObject(object.bucket(), object.key(),
                config.limits().maxReferenceBytes(), object.etag());
        if (ImageFormat.detect(file.data(), file.data().length).isEmpty()) {
            throw ImageFnException.invalid("s3://" + object.bucket() + "/" + object.key() + " is not an image");
        }
        String prompt = file.metadata().getOrDefault("prompt", config.pipeline().prompt());
        return new ImageRequest(prompt, null, null, null, List.of(new ReferenceImage.Inline(null, file.data())), false,
                null, false, null, null, null, Map.of(), false, Map.of(StoredMetadata.SOURCE_KEY, ascii(object.key()),
                        StoredMetadata.SOURCE_BUCKET, object.bucket()));
    }

    /** The upload's Content-Type, when it says anything, must be an image; the bytes decide later. */
    private static boolean looksLikeImage(ImageStore.ObjectInfo object) {
        String type = object.contentType();
        return type == null || type.startsWith("image/") || type.equals("application/octet-stream")
                || type.equals("binary/octet-stream");
    }

    /** A parser's or validator's detail may quote what it read: anything between quotes is dropped. */
    static String withoutQuotes(String detail) {
        return detail == null ? "" : detail.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"");
    }

    /** Metadata values must be printable ASCII; keys with other characters are percent-encoded. */
    private static String ascii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? s
                : java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
