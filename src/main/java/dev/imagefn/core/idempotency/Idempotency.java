package dev.imagefn.core.idempotency;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Paying once per key, across instances, with the semantics of Powertools for AWS Lambda's idempotency utility and
 * the object store as the persistence layer (no database):
 * <ol>
 * <li>before the paid work, an in-progress record is created with {@code If-None-Match: *}, leased until the
 * caller's deadline;
 * <li>the work's outcome completes it: the result, or for a paid failure its problem (a redelivery gets the same
 * answer, not a second paid call); a failure that paid nothing deletes it, so a retry may try again;
 * <li>whoever finds a record: another request hash is a conflict; a completed record is the answer again; one in
 * progress is waited for, up to the caller's deadline and the longest wait, then "in progress"; an expired lease is
 * taken over with {@code If-Match}.
 * </ol>
 * After each claim the record is read back once the claim fence has passed, and only its owner goes on: some
 * S3-compatible stores check a condition and write in two steps (S3Proxy does so for {@code If-Match}, which a
 * take-over uses), so two claims at the same moment may both be accepted; the read-back lets exactly one of them
 * through. On AWS S3, whose conditional writes are atomic, the fence can be 0.
 */
public final class Idempotency {
    private static final Logger LOG = Logger.getLogger(Idempotency.class);
    private static final long LEASE_MARGIN_MILLIS = 30_000;
    /** What a job's writes leave of its lease: time for its record to be written. */
    private static final long RECORD_MILLIS = 10_000;
    /** Waits between the tries of a record's completion after a storage failure: well inside RECORD_MILLIS. */
    private static final Duration[] FINISH_PAUSES = {Duration.ofMillis(200), Duration.ofSeconds(1)};

    private final RecordStore store;
    private final String area;
    private final Duration fence;
    private final Duration maxWait;
    private final Sleeper sleeper;
    private final LongSupplier clock;

    /**
     * The latest a job run under a deadline (epoch milliseconds) may still be writing its objects: before its lease
     * ends, so no redelivery can take the key over (and pay again) while they are being written.
     */
    public static long writesBy(long deadlineEpochMillis) {
        return deadlineEpochMillis + LEASE_MARGIN_MILLIS - RECORD_MILLIS;
    }

    /** Waits; tests replace it. */
    public interface Sleeper {
        void sleep(Duration d) throws InterruptedException;
    }

    /** What the work is and how its outcomes are written, read and reported. */
    public interface Handler<T> {
        /** The paid work. */
        T run();

        String encodeResult(T result);

        /** The stored result as an answer again, or empty when it is stale (then the work runs again). */
        Optional<T> reuse(String encoded);

        /** A failure worth recording (it was paid for), encoded; empty: nothing was paid, release the key. */
        Optional<String> encodePaidFailure(RuntimeException failure);

        /** The recorded paid failure, to throw again. */
        RuntimeException replay(String encoded);

        /** The key was used for a request with another hash. */
        RuntimeException conflict();

        /** The same request still runs elsewhere and the wait is over. */
        RuntimeException inProgress();
    }

    public Idempotency(RecordStore store, String area, Duration fence, Duration maxWait, Sleeper sleeper,
            LongSupplier clock) {
        this.store = store;
        this.area = area;
        this.fence = fence;
        this.maxWait = maxWait;
        this.sleeper = sleeper;
        this.clock = clock;
    }

    public Idempotency(RecordStore store, String area, Duration fence, Duration maxWait) {
        this(store, area, fence, maxWait, d -> Thread.sleep(d.toMillis()), System::currentTimeMillis);
    }

    /** Where the record of {@code key} is kept. */
    public String recordKey(IdempotencyKey key) {
        return area + key.recordId() + ".json";
    }

    /** What the record of a key holds for a request, without claiming it: the kind, and a finished one's outcome. */
    public record Earlier(Kind kind, String outcome) {
        public enum Kind { NONE, RUNNING, COMPLETED, FAILED, OTHER_REQUEST }
    }

    public Earlier earlier(IdempotencyKey key, String requestHash) {
        IdempotencyRecord existing = store.getDocument(recordKey(key)).map(d -> IdempotencyRecord.fromJson(d.body()))
                .orElse(null);
        Earlier.Kind kind = kindOf(existing, requestHash);
        return new Earlier(kind, kind == Earlier.Kind.COMPLETED || kind == Earlier.Kind.FAILED ? existing.outcome()
                : null);
    }

    /** What a record means for a request; a lease that ran out holds nothing (a corrected request may take it). */
    private Earlier.Kind kindOf(IdempotencyRecord existing, String requestHash) {
        if (existing == null || existing.status() == IdempotencyRecord.Status.IN_PROGRESS
                && existing.expiresAtMillis() <= clock.getAsLong()) {
            return Earlier.Kind.NONE;
        }
        if (!existing.requestHash().equals(requestHash)) {
            return Earlier.Kind.OTHER_REQUEST;
        }
        return switch (existing.status()) {
            case IN_PROGRESS -> Earlier.Kind.RUNNING;
            case COMPLETED -> Earlier.Kind.COMPLETED;
            case FAILED -> Earlier.Kind.FAILED;
        };
    }

    /** Runs the handler's work at most once for {@code key} while its record lives; {@code deadline} in epoch ms. */
    public <T> T execute(IdempotencyKey key, String requestHash, long deadline, Handler<T> handler) {
        String recordKey = recordKey(key);
        String owner = UUID.randomUUID().toString();
        long waitUntil = Math.min(deadline, clock.getAsLong() + maxWait.toMillis());
        long poll = 100;
        for (int round = 0; ; round++) {
            if (round > 0 && clock.getAsLong() >= waitUntil) {
                throw handler.inProgress();
            }
            Optional<RecordStore.Document> found = store.getDocument(recordKey);
            IdempotencyRecord existing = found.map(d -> IdempotencyRecord.fromJson(d.body())).orElse(null);
            switch (kindOf(existing, requestHash)) {
                case OTHER_REQUEST -> throw handler.conflict();
                case FAILED -> throw handler.replay(existing.outcome());
                case COMPLETED -> {
                    Optional<T> again = handler.reuse(existing.outcome());
                    if (again.isPresent()) {
                        return again.get();
                    }
                    LOG.warnf("idempotency record %s names a result that is gone; running again", recordKey);
                }
                case RUNNING -> {
                    if (clock.getAsLong() + poll >= waitUntil) {
                        throw handler.inProgress();
                    }
                    pause(Duration.ofMillis(poll), handler);
                    poll = Math.min(2000, poll * 3 / 2);
                    continue;
                }
                case NONE -> {
                }
            }
            IdempotencyRecord mine = IdempotencyRecord.inProgress(owner, requestHash, deadline + LEASE_MARGIN_MILLIS);
            Optional<String> etag = claim(recordKey, mine, found.map(RecordStore.Document::etag).orElse(null), handler);
            if (etag.isPresent()) {
                return runClaimed(recordKey, mine, etag.get(), handler);
            }
            pause(Duration.ofMillis(poll), handler);
        }
    }

    /** The record's ETag when this owner holds it after the fence, else empty (someone else won). */
    private Optional<String> claim(String recordKey, IdempotencyRecord mine, String replacing, Handler<?> handler) {
        byte[] body = mine.toJson();
        boolean accepted = replacing == null ? store.createDocument(recordKey, body)
                : store.replaceDocument(recordKey, body, replacing);
        if (accepted && !fence.isZero()) {
            pause(fence, handler);
        }
        // A refusal may be our own first attempt that the SDK retried: the read-back tells that too.
        return readBack(recordKey, handler).filter(d -> {
            IdempotencyRecord r = IdempotencyRecord.fromJson(d.body());
            return r != null && r.owner().equals(mine.owner()) && r.status() == IdempotencyRecord.Status.IN_PROGRESS;
        }).map(RecordStore.Document::etag);
    }

    /**
     * The record just claimed, read again; a read that fails is tried again (0.2 s, 1 s), or a record in progress
     * and ours (a refusal may be our own write the SDK retried) would hold the key until its lease ends.
     */
    private Optional<RecordStore.Document> readBack(String recordKey, Handler<?> handler) {
        for (int attempt = 0; ; attempt++) {
            try {
                return store.getDocument(recordKey);
            } catch (RuntimeException e) {
                if (attempt == FINISH_PAUSES.length) {
                    throw e;
                }
                LOG.infof("idempotency record %s could not be read back (%s); trying again", recordKey, e);
                pause(FINISH_PAUSES[attempt], handler);
            }
        }
    }

    private <T> T runClaimed(String recordKey, IdempotencyRecord mine, String etag, Handler<T> handler) {
        T result;
        try {
            result = handler.run();
        } catch (RuntimeException e) {
            Optional<String> paid;
            try {
                paid = handler.encodePaidFailure(e);
            } catch (RuntimeException encoding) {
                paid = Optional.empty();
            }
            if (paid.isPresent()) {
                finish(recordKey, mine.finished(IdempotencyRecord.Status.FAILED, paid.get()), etag);
            } else {
                release(recordKey, etag);
            }
            throw e;
        }
        finish(recordKey, mine.finished(IdempotencyRecord.Status.COMPLETED, handler.encodeResult(result)), etag);
        return result;
    }

    /**
     * The outcome is recorded, tried again after a storage failure (a record left in progress would let a redelivery
     * after its lease pay again); when every try fails, the answer stands and the record expires with its lease.
     */
    private void finish(String recordKey, IdempotencyRecord record, String etag) {
        // A deadline interrupt of the work must not also abort the write that records its outcome.
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                try {
                    if (!store.replaceDocument(recordKey, record.toJson(), etag) && !recorded(recordKey, record)) {
                        LOG.warnf("idempotency record %s was taken over before it could be completed", recordKey);
                    }
                    return;
                } catch (RuntimeException e) {
                    if (attempt == FINISH_PAUSES.length) {
                        LOG.warnf("idempotency record %s could not be completed (%s); it expires with its lease",
                                recordKey, e);
                        return;
                    }
                    LOG.infof("idempotency record %s could not be completed (%s); trying again", recordKey, e);
                    try {
                        sleeper.sleep(FINISH_PAUSES[attempt]);
                    } catch (InterruptedException stop) {
                        interrupted = true;
                        LOG.warnf("idempotency record %s could not be completed; it expires with its lease", recordKey);
                        return;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether an earlier try that seemed to fail did write {@code record} (its answer lost, say). */
    private boolean recorded(String recordKey, IdempotencyRecord record) {
        return store.getDocument(recordKey).map(d -> IdempotencyRecord.fromJson(d.body()))
                .filter(r -> r != null && r.owner().equals(record.owner()) && r.status() == record.status())
                .isPresent();
    }

    private void release(String recordKey, String etag) {
        boolean interrupted = Thread.interrupted();
        try {
            store.deleteDocument(recordKey, etag);
        } catch (RuntimeException e) {
            LOG.warnf("idempotency record %s could not be released (%s); it expires with its lease", recordKey, e);
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void pause(Duration d, Handler<?> handler) {
        try {
            sleeper.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw handler.inProgress();
        }
    }
}
