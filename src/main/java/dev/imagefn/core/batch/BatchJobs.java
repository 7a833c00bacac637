package dev.imagefn.core.batch;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.Disposition;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.Generation;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageGenerator;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageResult;
import dev.imagefn.core.ImageStore;
import dev.imagefn.core.ObjectKeys;
import dev.imagefn.core.idempotency.Idempotency;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.core.idempotency.RecordStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Batch mode (README, Batch mode): pipeline jobs are recorded as pending entries, submitted as one Gemini batch
 * per model at the end of the invocation, and their results stored by a poll exactly as a synchronous job's are.
 * Kept under {@code {prefix}.batches/}: {@code entries/} (pending), {@code done/} (finished: a redelivery is not
 * recorded again), {@code running/} (submitted batches), {@code submitting/} (a create under way, or whose answer
 * was lost), {@code claims/} (one poll at a time collects a batch).
 */
@ApplicationScoped
public class BatchJobs {
    private static final Logger LOG = Logger.getLogger(BatchJobs.class);
    static final int MAX_ATTEMPTS = 2;
    private static final BigDecimal BATCH_SHARE = new BigDecimal("0.5");
    private static final int MAX_LISTED = 10_000;
    /** Tries at a submitted batch's record before the batch is cancelled. */
    private static final int RECORD_ATTEMPTS = 3;
    private static final long CANCEL_BUDGET_MS = 5_000;

    private final ImagePipeline pipeline;
    private final ImageStore store;
    private final BatchDocuments documents;
    private final BatchGateway gateway;
    private final BatchFailures failures;
    private final Idempotency claims;
    private final String area;
    private final boolean enabled;
    private final Duration orphanAge;
    private final LongSupplier clock;
    /** Entries this instance recorded and has not submitted yet. */
    private final ConcurrentLinkedQueue<Queued> queue = new ConcurrentLinkedQueue<>();

    private record Queued(PendingEntry entry, GenerationRequest request) {
    }

    /** What became of a job handed to {@link #record}. */
    public enum Recorded { PENDING, ALREADY_PENDING, ALREADY_DONE }

    @Inject
    public BatchJobs(ImagePipeline pipeline, ImageStore store, BatchDocuments documents, BatchGateway gateway,
            BatchFailures failures, ImagefnConfig config) {
        this(pipeline, store, documents, gateway, failures, config, System::currentTimeMillis);
    }

    BatchJobs(ImagePipeline pipeline, ImageStore store, BatchDocuments documents, BatchGateway gateway,
            BatchFailures failures, ImagefnConfig config, LongSupplier clock) {
        this.pipeline = pipeline;
        this.store = store;
        this.documents = documents;
        this.gateway = gateway;
        this.failures = failures;
        this.area = config.storage().prefix() + ObjectKeys.BATCHES;
        String mode = config.pipeline().mode();
        if (!mode.equals("sync") && !mode.equals("batch")) {
            throw new IllegalStateException("imagefn.pipeline.mode must be 'sync' or 'batch', not '" + mode + "'");
        }
        this.enabled = mode.equals("batch");
        this.orphanAge = config.pipeline().batchOrphanAge();
        this.clock = clock;
        // No wait: a batch another poll is collecting is left to it.
        this.claims = new Idempotency(store, area + "claims/", config.idempotency().claimFence(), Duration.ZERO,
                d -> Thread.sleep(d.toMillis()), clock);
    }

    /** {@code imagefn.pipeline.mode=batch}. */
    public boolean enabled() {
        return enabled;
    }

    /**
     * Validates the job (loading its references) and records it durably as a pending entry; only then may its
     * delivery be acknowledged. An invalid job throws, as it would when run; a store that cannot record it throws
     * STORAGE_UNAVAILABLE (the delivery should come again).
     */
    public Recorded record(String kind, String deliveryId, IdempotencyKey identity, String recordOf, String requestId,
            ImageRequest request) {
        ImagePipeline.Prepared prepared = pipeline.prepare(request, identity, requestId);
        String id = prepared.identity().recordId();
        if (store.getDocument(area + "done/" + id + ".json").isPresent() || pipeline.answeredBefore(prepared)) {
            return Recorded.ALREADY_DONE;
        }
        PendingEntry entry = new PendingEntry(id, kind, deliveryId, identity, recordOf, requestId, clock.getAsLong(),
                request);
        byte[] body = BatchJson.write(entry, java.util.UUID.randomUUID().toString());
        if (!store.createDocument(entryKey(id), body)) {
            // A redelivery of a recorded job; or our own write, refused on an SDK retry: the stored one tells.
            Optional<RecordStore.Document> stored = store.getDocument(entryKey(id));
            if (stored.isEmpty()) {
                throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "the pending entry could not be written");
            }
            if (!java.util.Arrays.equals(stored.get().body(), body)) {
                return Recorded.ALREADY_PENDING;
            }
        }
        queue.add(new Queued(entry, prepared.request()));
        return Recorded.PENDING;
    }

    /**
     * Submits what this instance recorded, one batch per model. A submission that fails leaves its entries
     * pending: a later poll submits them. Returns the names of the batches submitted.
     */
    public List<String> flush(Deadline deadline) {
        List<Queued> taken = new ArrayList<>();
        for (Queued q; (q = queue.poll()) != null; ) {
            taken.add(q);
        }
        return submitByModel(taken, 1, deadline, (group, noBatch) -> { }, new ArrayList<>());
    }

    /**
     * One batch per model. A group Gemini refuses for good (400, or 404 for the model) will not be accepted later:
     * its jobs become failure records ({@code failed}). Any other failure leaves them pending ({@code notSubmitted}).
     */
    private List<String> submitByModel(List<Queued> entries, int attempt, Deadline deadline,
            java.util.function.BiConsumer<List<Queued>, Boolean> notSubmitted,
            List<PollReport.Failed> failed) {
        Map<String, List<Queued>> byModel = new LinkedHashMap<>();
        for (Queued q : entries) {
            byModel.computeIfAbsent(q.request().model(), m -> new ArrayList<>()).add(q);
        }
        List<String> names = new ArrayList<>();
        byModel.forEach((model, group) -> {
            try {
                names.add(submit(model, group, attempt, deadline));
            } catch (RuntimeException thrown) {
                boolean noBatch = thrown instanceof NoBatch;
                RuntimeException e = noBatch ? (RuntimeException) thrown.getCause() : thrown;
                if (e instanceof ImageFnException x && (x.code() == ErrorCode.INVALID_REQUEST
                        || x.code() == ErrorCode.MODEL_UNAVAILABLE)) {
                    LOG.warnf("Gemini refused a batch of %d %s job(s) (%s); they are failed", group.size(), model,
                            e.getMessage());
                    group.forEach(q -> fail(q.entry(), x, failed));
                } else {
                    LOG.warnf("a batch of %d %s job(s) could not be submitted (%s); a poll submits them later",
                            group.size(), model, e.toString());
                    notSubmitted.accept(group, noBatch);
                }
            }
        });
        return names;
    }

    /**
     * Submits one batch. Its intent ({@code submitting/}, named by the batch's display name) is written first: when
     * Gemini's answer to the create is lost, a poll looks the batch up by that name instead of paying for it again.
     */
    private String submit(String model, List<Queued> group, int attempt, Deadline deadline) {
        List<BatchGateway.Request> requests = group.stream()
                .map(q -> new BatchGateway.Request(q.entry().id(), q.request())).toList();
        List<String> ids = group.stream().map(q -> q.entry().id()).toList();
        long now = clock.getAsLong();
        String displayName = "imagefn-" + now + "-" + java.util.UUID.randomUUID().toString().substring(0, 8);
        String intentKey = intentKey(displayName);
        try {
            writeIntent(intentKey, BatchJson.write(new BatchRecord(displayName, model, attempt, ids, now)));
        } catch (RuntimeException e) {
            throw new NoBatch(e);
        }
        String name;
        try {
            name = gateway.submit(model, displayName, requests, deadline);
        } catch (RuntimeException e) {
            if (refused(e)) {
                forget(intentKey);
                throw new NoBatch(e);
            }
            throw e;
        }
        BatchRecord record = new BatchRecord(name, model, attempt, ids, now);
        try {
            recordRunning(runningKey(name), BatchJson.write(record), deadline);
        } catch (RuntimeException e) {
            // Unrecorded, its entries look like orphans and a poll would submit them again: paid twice.
            boolean interrupted = Thread.interrupted();
            boolean cancelled = false;
            try {
                gateway.cancel(name, deadline);
                forget(intentKey);
                cancelled = true;
                LOG.warnf("cancelled %s: its record could not be written (%s); its %d job(s) stay pending", name,
                        e.toString(), group.size());
            } catch (RuntimeException c) {
                LOG.errorf("%s runs at Gemini, but its record could not be written (%s) and the batch could not be"
                        + " cancelled (%s): a poll looks it up by its display name %s, or if it cannot, submits"
                        + " its %d job(s) again and they are paid twice", name, e.toString(), c.toString(),
                        displayName, group.size());
            } finally {
                if (interrupted) {
                    Thread.currentThread().interrupt();
                }
            }
            throw cancelled ? new NoBatch(e) : e;
        }
        forget(intentKey);
        LOG.infof("submitted %s: %d %s job(s), attempt %d", name, group.size(), model, attempt);
        return name;
    }

    /** Gemini answered the create with a refusal: no batch was created. */
    private static boolean refused(RuntimeException e) {
        return e instanceof ImageFnException x && (x.code() == ErrorCode.INVALID_REQUEST
                || x.code() == ErrorCode.MODEL_UNAVAILABLE || x.code() == ErrorCode.UPSTREAM_AUTH
                || x.code() == ErrorCode.UPSTREAM_RATE_LIMITED);
    }

    private void writeIntent(String key, byte[] body) {
        if (!store.createDocument(key, body) && !holds(key, body)) {
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "the batch's intent could not be written");
        }
    }

    /** Best effort: an intent left behind costs a poll one lookup. */
    private void forget(String intentKey) {
        try {
            release(intentKey);
        } catch (RuntimeException e) {
            LOG.debugf("the intent %s stays: %s", intentKey, e.toString());
        }
    }

    /** Writes a submitted batch's record, trying again (Gemini has the batch: the record is all that names it). */
    private void recordRunning(String key, byte[] body, Deadline deadline) {
        for (int attempt = 1; ; attempt++) {
            boolean created;
            try {
                created = store.createDocument(key, body);
            } catch (RuntimeException e) {
                long wait = 250L * attempt;
                // Leave the time a cancel needs: an unrecorded batch that cannot be cancelled is paid twice.
                if (attempt == RECORD_ATTEMPTS || deadline.remaining().toMillis() < wait + CANCEL_BUDGET_MS) {
                    throw e;
                }
                sleep(wait, e);
                continue;
            }
            // Not created: an earlier attempt of ours may have been written after all.
            if (created || holds(key, body)) {
                return;
            }
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "another record holds " + key);
        }
    }

    /** A create refused because an earlier try of ours, an SDK retry, was written after all: the store holds it. */
    private boolean holds(String key, byte[] body) {
        return store.getDocument(key).map(d -> java.util.Arrays.equals(d.body(), body)).orElse(false);
    }

    private static void sleep(long millis, RuntimeException cause) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException i) {
            Thread.currentThread().interrupt();
            throw cause;
        }
    }

    /**
     * Checks every running batch; stores the results of those that succeeded, resubmits (once) or fails the
     * entries of those that were lost, and submits orphaned entries. Another poll at the same time stores and pays
     * nothing: each finished batch is collected under a claim, and each result under its job's idempotency record.
     */
    public PollReport poll(Deadline deadline) {
        List<PollReport.BatchView> views = new ArrayList<>();
        List<ImageResult> stored = new ArrayList<>();
        List<PollReport.Failed> failed = new ArrayList<>();
        Set<String> referenced = new HashSet<>();
        resolveIntents(referenced, deadline, views);
        for (String key : documents.listKeys(area + "running/", MAX_LISTED)) {
            Optional<RecordStore.Document> doc = store.getDocument(key);
            BatchRecord record = doc.map(d -> BatchJson.batch(d.body())).orElse(null);
            if (record == null) {
                continue;
            }
            referenced.addAll(record.entries());
            BatchGateway.Status status;
            try {
                status = gateway.get(record.name(), deadline);
            } catch (ImageFnException e) {
                LOG.warnf("could not ask Gemini about %s: %s", record.name(), e.getMessage());
                views.add(new PollReport.BatchView(record.name(), "UNKNOWN"));
                continue;
            }
            if (status.succeeded() || status.lost()) {
                try {
                    finish(key, doc.get(), record, status, deadline, stored, failed, referenced);
                } catch (ImageFnException e) {
                    if (e.code() == ErrorCode.STORAGE_UNAVAILABLE) {
                        throw e;
                    }
                    // Its answers could not be read: the next poll tries again; the other batches go on.
                    LOG.warnf("could not collect %s: %s", record.name(), e.getMessage());
                    views.add(new PollReport.BatchView(record.name(), "UNKNOWN"));
                    continue;
                }
            }
            views.add(new PollReport.BatchView(record.name(), status.state()));
        }
        submitOrphans(referenced, deadline, views, failed);
        return new PollReport(views, stored, failed);
    }

    private void finish(String key, RecordStore.Document doc, BatchRecord record, BatchGateway.Status status,
            Deadline deadline, List<ImageResult> stored, List<PollReport.Failed> failed, Set<String> referenced) {
        List<ImageResult> mine = new ArrayList<>();
        List<PollReport.Failed> mineFailed = new ArrayList<>();
        try {
            claims.execute(IdempotencyKey.delivery("batch", record.name()), "collect", deadline.epochMillis(),
                    new Idempotency.Handler<String>() {
                        @Override
                        public String run() {
                            if (status.succeeded()) {
                                collect(record, deadline, mine, mineFailed);
                            } else {
                                lost(record, status, deadline, mineFailed, referenced);
                            }
                            try {
                                store.deleteDocument(key, doc.etag());
                            } catch (RuntimeException e) {
                                // Done all the same: the claim says so, and the next poll removes the record
                                // instead of doing it again (a lost batch would be submitted, and paid, twice).
                                LOG.warnf("the record of %s stays until the next poll: %s", record.name(), e.toString());
                            }
                            return "{}";
                        }

                        @Override
                        public String encodeResult(String result) {
                            return result;
                        }

                        @Override
                        public Optional<String> reuse(String encoded) {
                            // Collected before: only the record of the batch may be left to remove.
                            store.deleteDocument(key, doc.etag());
                            return Optional.of(encoded);
                        }

                        @Override
                        public Optional<String> encodePaidFailure(RuntimeException failure) {
                            return Optional.empty();
                        }

                        @Override
                        public RuntimeException replay(String encoded) {
                            return new IllegalStateException("never recorded");
                        }

                        @Override
                        public RuntimeException conflict() {
                            return new IllegalStateException("one hash per batch");
                        }

                        @Override
                        public RuntimeException inProgress() {
                            return new InProgress();
                        }
                    });
        } catch (InProgress elsewhere) {
            LOG.infof("%s is being collected by another poll", record.name());
            return;
        }
        stored.addAll(mine);
        failed.addAll(mineFailed);
    }

    private static final class InProgress extends RuntimeException {
        InProgress() {
            super(null, null, false, false);
        }
    }

    private void collect(BatchRecord record, Deadline deadline, List<ImageResult> stored,
            List<PollReport.Failed> failed) {
        Set<String> unanswered = new java.util.LinkedHashSet<>(record.entries());
        gateway.results(record.name(), deadline, result -> {
            if (deadline.expired()) {
                throw new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "the deadline passed while collecting "
                        + record.name());
            }
            if (!unanswered.remove(result.key())) {
                return;
            }
            Optional<PendingEntry> entry = entry(result.key());
            if (entry.isEmpty()) {
                return;
            }
            PendingEntry e = entry.get();
            if (result.error() != null) {
                fail(e, result.error(), failed);
                return;
            }
            try {
                ImageResult r = pipeline.run(e.request(), e.identity(), e.requestId(), deadline, answered(result));
                stored.add(atBatchPrice(r));
                done(e);
            } catch (ImageFnException problem) {
                if (problem.disposition().redeliver() && problem.code() == ErrorCode.STORAGE_UNAVAILABLE) {
                    throw problem;
                }
                fail(e, problem, failed);
            }
        });
        for (String id : unanswered) {
            entry(id).ifPresent(e -> fail(e, new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, record.name()
                    + " finished without a result for this job"), failed));
        }
    }

    /** The batch's paid answer for one job, as the generator that stores it (its references are not read again). */
    private static ImageGenerator answered(BatchGateway.Result result) {
        return new ImageGenerator() {
            @Override
            public Generation generate(GenerationRequest request, Deadline deadline) {
                return result.generation();
            }

            @Override
            public boolean needsReferences() {
                return false;
            }
        };
    }

    private void lost(BatchRecord record, BatchGateway.Status status, Deadline deadline,
            List<PollReport.Failed> failed, Set<String> referenced) {
        List<Queued> again = new ArrayList<>();
        for (String id : record.entries()) {
            Optional<PendingEntry> entry = entry(id);
            if (entry.isEmpty()) {
                continue;
            }
            if (record.attempt() >= MAX_ATTEMPTS) {
                fail(entry.get(), new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "the Gemini batch ended "
                        + status.state() + " twice (" + record.name() + "); the job was not generated"), failed);
                continue;
            }
            try {
                again.add(new Queued(entry.get(), pipeline.prepare(entry.get().request(), entry.get().requestId())));
            } catch (ImageFnException e) {
                if (e.disposition().redeliver()) {
                    // A reference that cannot be read now: pending, so the orphan sweep tries again.
                    LOG.warnf("batch entry %s stays pending: %s", id, e.getMessage());
                    release(orphanClaim(entry.get()));
                    continue;
                }
                fail(entry.get(), e, failed);
            }
        }
        if (!again.isEmpty()) {
            // Not submitted: the entries stay pending and the orphan sweep submits them. The claim an earlier sweep
            // took on them would keep them from every later sweep: let go when no batch can exist (releaseIfNoBatch);
            // otherwise the intent stays, and the poll that finds no batch under it lets go (resolveIntents).
            for (String name : submitByModel(again, record.attempt() + 1, deadline, this::releaseIfNoBatch,
                    failed)) {
                LOG.infof("%s ended %s; its jobs went again as %s", record.name(), status.state(), name);
                again.forEach(q -> referenced.add(q.entry().id()));
            }
        }
    }

    /**
     * Settles the submissions whose outcome nobody saw (older than the orphan age, so their create is over): a batch
     * Gemini created under the intent's display name is recorded as running; otherwise the intent goes and its entries
     * are orphans again. While Gemini cannot be asked, the entries wait.
     */
    private void resolveIntents(Set<String> referenced, Deadline deadline, List<PollReport.BatchView> views) {
        long before = clock.getAsLong() - orphanAge.toMillis();
        for (String key : documents.listKeys(area + "submitting/", MAX_LISTED)) {
            Optional<RecordStore.Document> doc = store.getDocument(key);
            BatchRecord intent = doc.map(d -> BatchJson.batch(d.body())).orElse(null);
            if (intent == null) {
                continue;
            }
            if (intent.submittedAtMillis() > before) {
                referenced.addAll(intent.entries());
                continue;
            }
            Optional<String> found;
            try {
                found = gateway.find(intent.name(), deadline);
            } catch (ImageFnException e) {
                if (e.disposition().redeliver() || e.code() == ErrorCode.UPSTREAM_AUTH) {
                    LOG.warnf("could not ask Gemini whether it created the batch %s: %s", intent.name(),
                            e.getMessage());
                    referenced.addAll(intent.entries());
                    continue;
                }
                LOG.errorf("Gemini cannot list its batches (%s): the %d job(s) of %s go again, and are paid twice if"
                        + " Gemini created it", e.getMessage(), intent.entries().size(), intent.name());
                found = Optional.empty();
            }
            if (found.isPresent()) {
                String name = found.get();
                recordRunning(runningKey(name), BatchJson.write(new BatchRecord(name, intent.model(),
                        intent.attempt(), intent.entries(), intent.submittedAtMillis())), deadline);
                LOG.infof("%s was created as %s though its answer was lost; it is collected as usual", intent.name(),
                        name);
            }
            store.deleteDocument(key, doc.get().etag());
            if (found.isEmpty()) {
                // No batch was made: the entries are orphans, and the claim a sweep took on them goes.
                intent.entries().forEach(id -> entry(id).ifPresent(e -> release(orphanClaim(e))));
            }
        }
    }

    private void submitOrphans(Set<String> referenced, Deadline deadline, List<PollReport.BatchView> views,
            List<PollReport.Failed> failed) {
        List<Queued> orphans = new ArrayList<>();
        long before = clock.getAsLong() - orphanAge.toMillis();
        for (String key : documents.listKeys(area + "entries/", MAX_LISTED)) {
            String id = key.substring(key.lastIndexOf('/') + 1).replace(".json", "");
            if (referenced.contains(id)) {
                continue;
            }
            Optional<PendingEntry> entry = entry(id);
            if (entry.isEmpty() || entry.get().createdAtMillis() > before) {
                continue;
            }
            // One poll takes an orphan: the claim is an If-None-Match create, atomic on S3 and S3Proxy alike.
            if (!store.createDocument(orphanClaim(entry.get()), "{}".getBytes(StandardCharsets.UTF_8))) {
                continue;
            }
            try {
                orphans.add(new Queued(entry.get(), pipeline.prepare(entry.get().request(), entry.get().requestId())));
            } catch (ImageFnException e) {
                if (e.disposition().redeliver()) {
                    LOG.warnf("batch entry %s stays pending: %s", id, e.getMessage());
                    release(orphanClaim(entry.get()));
                    continue;
                }
                fail(entry.get(), e, failed);
            }
        }
        for (String name : submitByModel(orphans, 1, deadline, this::releaseIfNoBatch, failed)) {
            views.add(new PollReport.BatchView(name, "SUBMITTED"));
        }
    }

    /**
     * A submission after which no batch can exist (its intent was never written, Gemini refused the create, or the
     * batch was cancelled): its entries are orphans again at once. After any other failure a batch may exist, and
     * the poll that finds none under the intent lets go (resolveIntents).
     */
    private void releaseIfNoBatch(List<Queued> group, boolean noBatch) {
        if (noBatch) {
            group.forEach(q -> release(orphanClaim(q.entry())));
        }
    }

    /** A submission that failed and left no batch behind at Gemini; its cause is the failure. */
    private static final class NoBatch extends RuntimeException {
        NoBatch(RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private String orphanClaim(PendingEntry e) {
        return area + "claims/orphan-" + e.id() + "-" + e.createdAtMillis() + ".json";
    }

    private void release(String key) {
        store.getDocument(key).ifPresent(d -> store.deleteDocument(key, d.etag()));
    }

    private void fail(PendingEntry e, ImageFnException problem, List<PollReport.Failed> failed) {
        String record = null;
        try {
            // Written, the failure is final, whatever its code would say of another try.
            record = failures.record(e, problem.disposition().redeliver() ? problem.as(Disposition.PERMANENT)
                    : problem);
        } catch (RuntimeException storage) {
            // Left pending: the next poll of a lost batch, or the orphan sweep, comes back to it (so no claim of a
            // sweep's may keep it).
            LOG.warnf("the failure record of batch entry %s could not be written: %s", e.id(), storage.toString());
            try {
                release(orphanClaim(e));
            } catch (RuntimeException ignored) {
                // The store is failing too: the claim stays, and with it the entry, until it can be let go.
            }
            failed.add(new PollReport.Failed(e.id(), e.requestId(), problem, null));
            return;
        }
        failed.add(new PollReport.Failed(e.id(), e.requestId(), problem, record));
        done(e);
    }

    /** The entry is over: a tombstone stops a redelivery from recording it again, then the entry goes. */
    private void done(PendingEntry e) {
        store.createDocument(area + "done/" + e.id() + ".json", "{}".getBytes(StandardCharsets.UTF_8));
        release(entryKey(e.id()));
    }

    private Optional<PendingEntry> entry(String id) {
        return store.getDocument(entryKey(id)).map(d -> BatchJson.entry(d.body()));
    }

    /** A fresh result costs the batch price; a reused one stays at 0. */
    static ImageResult atBatchPrice(ImageResult r) {
        if (r.reused() || r.cost().usd() == null) {
            return r;
        }
        ImageResult.Cost cost = new ImageResult.Cost(r.cost().usd().multiply(BATCH_SHARE),
                r.cost().basis().replace(" standard", " batch (50% of standard)"));
        return new ImageResult(r.bucket(), r.key(), r.url(), r.mimeType(), r.bytes(), r.sha256(), r.width(),
                r.height(), r.images(), r.text(), r.model(), r.modelVersion(), r.usage(), cost, false, r.requestId());
    }

    private String entryKey(String id) {
        return area + "entries/" + id + ".json";
    }

    private String intentKey(String displayName) {
        return area + "submitting/" + displayName + ".json";
    }

    private String runningKey(String name) {
        return area + "running/" + IdempotencyKey.delivery("batch", name).recordId() + ".json";
    }
}
