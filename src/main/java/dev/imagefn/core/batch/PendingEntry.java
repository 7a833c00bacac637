package dev.imagefn.core.batch;

import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.idempotency.IdempotencyKey;

/**
 * A job recorded for a batch: the request as it came, and the delivery it came with (its kind, id and identity,
 * what a failure record keeps of it), so its result is stored exactly as the synchronous job's would be.
 */
public record PendingEntry(String id, String kind, String deliveryId, IdempotencyKey identity, String recordOf,
        String requestId, long createdAtMillis, ImageRequest request) {
}
