package dev.imagefn.delivery;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.idempotency.IdempotencyKey;

/**
 * One delivery of a job, whatever carried it: its kind ({@code http}, {@code cloudevent}, {@code sqs},
 * {@code object}, {@code direct}), its id for logs and records, the identity under which a redelivery is recognised
 * ({@code null}: none, as for a plain HTTP call), what a failure record keeps of it ({@code null}: no record; the
 * caller gets the answer), and the request id and deadline of the invocation.
 */
public record Delivery(String kind, String id, IdempotencyKey identity, String recordOf, String requestId,
        Deadline deadline) {

    /** A plain call: the caller gets the answer, and only its own idempotencyKey identifies a retry. */
    public static Delivery call(String kind, String requestId, Deadline deadline) {
        return new Delivery(kind, requestId, null, null, requestId, deadline);
    }
}
