package dev.imagefn.core.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageResult;
import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.core.ObjectKeys;
import dev.imagefn.core.PipelineMetrics;
import dev.imagefn.core.RequestValidator;
import dev.imagefn.core.StoredMetadata;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.testing.InMemoryImageStore;
import dev.imagefn.testing.ScriptedGenerator;
import dev.imagefn.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The batch state machine on an in-memory store and a scripted Batch API. */
class BatchJobsTest {
    private static final String SUCCEEDED = "BATCH_STATE_SUCCEEDED";
    private final InMemoryImageStore store = new InMemoryImageStore("images");
    private final ScriptedGenerator sync = new ScriptedGenerator();
    private final FakeBatchGateway gemini = new FakeBatchGateway();
    private final List<String> failureRecords = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ImagefnConfig config = TestConfig.of(Map.of("pipeline.mode", "batch",
            "idempotency.claim-fence", "0ms"));
    /** Thrown when a job is prepared again for a resubmission (its references loaded again). */
    private volatile ImageFnException prepareFailure;
    private final BatchJobs batches = batches();

    private BatchJobs batches() {
        ModelCatalogue catalogue = new ModelCatalogue(config);
        ImagePipeline pipeline = new ImagePipeline(new RequestValidator(catalogue, config), sync, store,
                new ObjectKeys(config), config, new PipelineMetrics(new SimpleMeterRegistry()), catalogue) {
            @Override
            public dev.imagefn.core.GenerationRequest prepare(ImageRequest request, String requestId) {
                if (prepareFailure != null) {
                    throw prepareFailure;
                }
                return super.prepare(request, requestId);
            }
        };
        BatchFailures failures = (entry, problem) -> {
            String key = "generated/failures/" + entry.kind() + "-" + entry.deliveryId() + ".json";
            failureRecords.add(key + " " + problem.code());
            return key;
        };
        return new BatchJobs(pipeline, store, store, gemini, failures, config, now::get);
    }

    private static ImageRequest request(String prompt, String model) {
        return new ImageRequest(prompt, model, null, null, List.of(), false, null, false, null, null, null,
                Map.of("team", "a"), false);
    }

    private BatchJobs.Recorded record(String messageId, String prompt) {
        return batches.record("sqs", messageId, IdempotencyKey.delivery("sqs", messageId), "{\"m\":1}",
                "req/" + messageId, request(prompt, null));
    }

    private static Deadline deadline() {
        return Deadline.after(Duration.ofMinutes(1));
    }

    private List<String> images() {
        return store.objects().keySet().stream().filter(k -> k.endsWith(".png")).sorted().toList();
    }

    private List<String> documents(String area) {
        return store.listKeys("generated/.batches/" + area, 1000);
    }

    @Test
    void recordedJobsGoAsOneBatchAndAPollStoresEachResultLikeASyncJob() {
        assertEquals(BatchJobs.Recorded.PENDING, record("m-1", "a fox"));
        assertEquals(BatchJobs.Recorded.PENDING, record("m-2", "a hen"));
        assertEquals(BatchJobs.Recorded.PENDING, record("m-3", "a cat"));
        assertEquals(3, documents("entries/").size(), "durable before the submission");
        assertTrue(gemini.submissions.isEmpty(), "nothing submitted before the end of the invocation");

        List<String> names = batches.flush(deadline());
        assertEquals(List.of("batches/b1"), names);
        assertEquals(3, gemini.last().requests().size());
        assertEquals(List.of("a fox", "a hen", "a cat"), gemini.last().requests().stream()
                .map(r -> r.request().prompt()).toList());
        assertEquals(0, sync.calls(), "no synchronous paid call");

        gemini.set("batches/b1", "BATCH_STATE_RUNNING");
        PollReport running = batches.poll(deadline());
        assertEquals(List.of(new PollReport.BatchView("batches/b1", "BATCH_STATE_RUNNING")), running.batches());
        assertTrue(running.stored().isEmpty());

        gemini.set("batches/b1", SUCCEEDED);
        PollReport done = batches.poll(deadline());
        assertEquals(3, done.stored().size());
        assertEquals(3, images().size());
        ImageResult first = done.stored().getFirst();
        var meta = store.head(first.key()).orElseThrow().metadata();
        assertEquals("a", meta.get("team"));
        assertEquals("req/m-1", meta.get(StoredMetadata.REQUEST_ID));
        assertEquals(first.sha256(), meta.get(StoredMetadata.SHA256));
        assertTrue(first.key().matches("generated/\\d{4}/\\d{2}/\\d{2}/[0-9a-f-]{36}\\.png"), first.key());
        assertTrue(documents("entries/").isEmpty(), "entries are over");
        assertTrue(documents("running/").isEmpty());

        PollReport again = batches.poll(deadline());
        assertTrue(again.stored().isEmpty(), "a second poll stores nothing");
        assertTrue(again.batches().isEmpty());
        assertEquals(3, images().size());
        assertEquals(0, sync.calls());
    }

    @Test
    void aRedeliveredJobIsRecordedOnceAndNotAgainOnceDone() {
        assertEquals(BatchJobs.Recorded.PENDING, record("m-1", "a fox"));
        assertEquals(BatchJobs.Recorded.ALREADY_PENDING, record("m-1", "a fox"));
        batches.flush(deadline());
        assertEquals(1, gemini.last().requests().size());
        gemini.set("batches/b1", SUCCEEDED);
        batches.poll(deadline());
        assertEquals(BatchJobs.Recorded.ALREADY_DONE, record("m-1", "a fox"));
        assertEquals(List.of(), batches.flush(deadline()));
        assertEquals(1, gemini.submissions.size());
    }

    @Test
    void oneBatchPerModel() {
        batches.record("sqs", "m-1", IdempotencyKey.delivery("sqs", "m-1"), null, "r1", request("a", "gemini-3-pro-image"));
        batches.record("sqs", "m-2", IdempotencyKey.delivery("sqs", "m-2"), null, "r2", request("b", null));
        batches.record("sqs", "m-3", IdempotencyKey.delivery("sqs", "m-3"), null, "r3", request("c", "gemini-3-pro-image"));
        assertEquals(2, batches.flush(deadline()).size());
        assertEquals(Map.of("gemini-3-pro-image", 2, config.gemini().model(), 1), Map.of(
                gemini.submissions.get(0).model(), gemini.submissions.get(0).requests().size(),
                gemini.submissions.get(1).model(), gemini.submissions.get(1).requests().size()));
    }

    @Test
    void anExpiredBatchGoesAgainOnceThenItsEntriesBecomeFailureRecords() {
        record("m-1", "a fox");
        record("m-2", "a hen");
        batches.flush(deadline());
        gemini.set("batches/b1", "BATCH_STATE_EXPIRED");
        PollReport first = batches.poll(deadline());
        assertEquals(2, gemini.submissions.size(), "resubmitted");
        assertEquals(gemini.submissions.get(0).requests().stream().map(BatchGateway.Request::key).toList(),
                gemini.submissions.get(1).requests().stream().map(BatchGateway.Request::key).toList());
        assertTrue(first.failed().isEmpty());
        assertEquals(2, documents("entries/").size(), "nothing lost");

        gemini.set("batches/b2", "BATCH_STATE_CANCELLED");
        PollReport second = batches.poll(deadline());
        assertEquals(2, gemini.submissions.size(), "only once");
        assertEquals(2, second.failed().size());
        assertEquals(2, failureRecords.size());
        assertTrue(failureRecords.stream().allMatch(r -> r.endsWith(ErrorCode.UPSTREAM_UNAVAILABLE.name())));
        assertTrue(documents("entries/").isEmpty());
        assertTrue(batches.poll(deadline()).failed().isEmpty(), "written once");
        assertTrue(images().isEmpty());
    }

    @Test
    void aLostBatchWhoseRecordCannotBeRemovedGoesAgainOnceNotAtEveryPoll() {
        record("m-1", "a fox");
        batches.flush(deadline());
        gemini.set("batches/b1", "BATCH_STATE_EXPIRED");
        store.refusesDelete = key -> key.contains("/running/");
        batches.poll(deadline());
        assertEquals(2, gemini.submissions.size(), "resubmitted");
        store.refusesDelete = key -> false;
        batches.poll(deadline());
        assertEquals(2, gemini.submissions.size(), "not a third time: paid once more, not twice");
        assertEquals(1, documents("running/").size(), "only the new batch's record is left");
    }

    @Test
    void aReferenceThatCannotBeReadForAResubmissionLeavesTheJobPendingNotFailed() {
        record("m-1", "a cat like this one");
        batches.flush(deadline());
        gemini.set("batches/b1", "BATCH_STATE_EXPIRED");
        prepareFailure = new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "the reference could not be read");
        PollReport report = batches.poll(deadline());
        assertEquals(List.of(), report.failed(), "a store that is down for a moment fails no job");
        assertEquals(List.of(), failureRecords);
        assertEquals(1, documents("entries/").size());
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        batches.poll(deadline());
        assertEquals(1, gemini.submissions.size(), "the orphan sweep leaves it while the store is down");
        assertEquals(List.of(), failureRecords);
        prepareFailure = null;
        batches.poll(deadline());
        assertEquals(2, gemini.submissions.size(), "and submits it once the store is back");

        record("m-2", "a dog");
        batches.flush(deadline());
        gemini.set("batches/b3", "BATCH_STATE_EXPIRED");
        prepareFailure = new ImageFnException(ErrorCode.INVALID_REQUEST, "the reference is gone");
        assertEquals(1, batches.poll(deadline()).failed().size(), "a reference that is gone fails the job");
    }

    @Test
    void aFailedEntryIsAFailureRecordAndTheOthersAreStored() {
        record("m-1", "a fox");
        record("m-2", "a hen");
        batches.flush(deadline());
        gemini.failing.add(gemini.last().requests().get(1).key());
        gemini.set("batches/b1", SUCCEEDED);
        PollReport report = batches.poll(deadline());
        assertEquals(1, report.stored().size());
        assertEquals(1, report.failed().size());
        assertEquals(ErrorCode.INVALID_REQUEST, report.failed().getFirst().problem().code());
        assertEquals(List.of("generated/failures/sqs-m-2.json INVALID_REQUEST"), failureRecords);
        assertEquals(1, images().size());
    }

    @Test
    void twoPollsAtOnceStoreAndPayOnce() throws Exception {
        record("m-1", "a fox");
        record("m-2", "a hen");
        batches.flush(deadline());
        gemini.set("batches/b1", SUCCEEDED);
        CyclicBarrier both = new CyclicBarrier(2);
        gemini.onGet = () -> {
            try {
                both.await();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        CompletableFuture<PollReport> a = CompletableFuture.supplyAsync(() -> batches.poll(deadline()));
        CompletableFuture<PollReport> b = CompletableFuture.supplyAsync(() -> batches.poll(deadline()));
        List<ImageResult> stored = new java.util.ArrayList<>(a.get().stored());
        stored.addAll(b.get().stored());
        assertEquals(2, stored.size(), "each result once, over both polls");
        assertTrue(stored.stream().noneMatch(ImageResult::reused));
        assertEquals(2, images().size());
    }

    @Test
    void aSubmissionThatFailsLeavesItsEntriesForTheOrphanSweep() {
        record("m-1", "a fox");
        gemini.submitFailure = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "down");
        assertEquals(List.of(), batches.flush(deadline()));
        assertEquals(1, documents("entries/").size());
        gemini.submitFailure = null;
        assertTrue(gemini.submissions.isEmpty());
        batches.poll(deadline());
        assertTrue(gemini.submissions.isEmpty(), "too young: its invocation may still submit it");
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        PollReport report = batches.poll(deadline());
        assertEquals(1, gemini.submissions.size());
        assertEquals(List.of(new PollReport.BatchView("batches/b1", "SUBMITTED")), report.batches());
        batches.poll(deadline());
        assertEquals(1, gemini.submissions.size(), "an orphan is submitted once");
    }

    @Test
    void aBatchWhoseCreateAnswerWasLostIsFoundByItsDisplayNameAndNotPaidAgain() {
        record("m-1", "a fox");
        gemini.answerLost = new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "no answer to the create");
        assertEquals(List.of(), batches.flush(deadline()));
        gemini.answerLost = null;
        assertEquals(1, gemini.submissions.size(), "Gemini created it all the same");
        assertEquals(1, documents("submitting/").size());
        batches.poll(deadline());
        assertEquals(0, gemini.finds.get(), "too young: its create may still be under way");

        now.addAndGet(Duration.ofMinutes(21).toMillis());
        PollReport report = batches.poll(deadline());
        assertEquals(1, gemini.submissions.size(), "found, not submitted again");
        assertEquals(List.of(new PollReport.BatchView("batches/b1", "BATCH_STATE_PENDING")), report.batches());
        assertEquals(List.of(), documents("submitting/"));
        gemini.set("batches/b1", SUCCEEDED);
        assertEquals(1, batches.poll(deadline()).stored().size());
        assertEquals(1, images().size());
        assertEquals(1, gemini.submissions.size());
    }

    @Test
    void whileGeminiCannotSayWhetherItCreatedABatchItsJobsWaitAndARefusedCreateLeavesNothingToLookUp() {
        record("m-1", "a fox");
        gemini.submitFailure = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "connection reset");
        batches.flush(deadline());
        gemini.submitFailure = null;
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        gemini.findFailure = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "503");
        batches.poll(deadline());
        assertEquals(0, gemini.submissions.size(), "not submitted while it may run at Gemini");
        assertEquals(1, documents("submitting/").size());
        gemini.findFailure = new ImageFnException(ErrorCode.INVALID_REQUEST, "no such method (404)");
        batches.poll(deadline());
        assertEquals(1, gemini.submissions.size(), "Gemini cannot list batches: submitted again, as before");

        record("m-2", "a hen");
        gemini.submitFailure = new ImageFnException(ErrorCode.INVALID_REQUEST, "400");
        batches.flush(deadline());
        assertEquals(List.of(), documents("submitting/"), "Gemini refused it: nothing to look up");
    }

    @Test
    void aPollStoresEachAnswerBeforeTheNextIsReadSoItHoldsOneImageAtATime() {
        for (int i = 1; i <= 3; i++) {
            record("m-" + i, "animal " + i);
        }
        batches.flush(deadline());
        gemini.set("batches/b1", SUCCEEDED);
        List<Integer> answeredAtEachPut = new CopyOnWriteArrayList<>();
        store.onPut = key -> answeredAtEachPut.add(gemini.answered.get());
        assertEquals(3, batches.poll(deadline()).stored().size());
        assertEquals(List.of(1, 2, 3), answeredAtEachPut);
    }

    @Test
    void aBatchWhoseRecordCannotBeWrittenIsCancelledSoItsJobsArePaidOnce() {
        record("m-1", "a fox");
        store.refusesDocument = key -> key.contains("/running/");
        assertEquals(List.of(), batches.flush(deadline()));
        assertEquals(List.of("batches/b1"), gemini.cancelled, "nothing here names the batch any more");
        assertEquals(1, documents("entries/").size(), "the job stays pending");

        store.refusesDocument = key -> false;
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        batches.poll(deadline());
        assertEquals(2, gemini.submissions.size(), "submitted again, by the orphan sweep");
        gemini.set("batches/b2", SUCCEEDED);
        assertEquals(1, batches.poll(deadline()).stored().size());
        assertEquals(1, images().size());
    }

    @Test
    void aBatchRecordThatFailsOnceIsWrittenOnTheNextTryAndNothingIsCancelled() {
        record("m-1", "a fox");
        java.util.concurrent.atomic.AtomicInteger refusals = new java.util.concurrent.atomic.AtomicInteger();
        store.refusesDocument = key -> key.contains("/running/") && refusals.incrementAndGet() == 1;
        assertEquals(List.of("batches/b1"), batches.flush(deadline()));
        assertEquals(2, refusals.get());
        assertEquals(List.of(), gemini.cancelled);
        assertEquals(1, documents("running/").size());
    }

    @Test
    void whenTheCancelFailsTooTheSubmissionReportsItsFailureAndALaterPollFindsTheBatch() {
        record("m-1", "a fox");
        store.refusesDocument = key -> key.contains("/running/");
        gemini.cancelFailure = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "down");
        assertEquals(List.of(), batches.flush(deadline()));
        assertEquals(1, gemini.cancelAttempts.get(), "the cancel was tried");
        assertEquals(1, documents("entries/").size());
        assertTrue(documents("running/").isEmpty());

        store.refusesDocument = key -> false;
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        batches.poll(deadline());
        assertEquals(1, gemini.submissions.size(), "paid once");
        assertEquals(1, documents("running/").size());
    }

    @Test
    void aBatchWhoseAnswersCannotBeReadIsReportedUnknownAndThePollGoesOn() {
        record("m-1", "a fox");
        batches.flush(deadline());
        record("m-2", "a hen");
        batches.flush(deadline());
        gemini.set("batches/b1", SUCCEEDED);
        gemini.set("batches/b2", SUCCEEDED);
        gemini.resultsFailure = new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "the responses file is gone");
        gemini.resultsFailFor = "batches/b1";
        PollReport report = batches.poll(deadline());
        assertEquals(1, report.stored().size(), "the other batch is collected");
        assertTrue(report.batches().contains(new PollReport.BatchView("batches/b1", "UNKNOWN")), report.toString());
        gemini.resultsFailure = null;
        assertEquals(1, batches.poll(deadline()).stored().size(), "the next poll collects it");
        assertEquals(2, images().size());
    }

    @Test
    void anInvalidJobIsRefusedAndAStoreThatIsDownIsTransient() {
        ImageFnException invalid = assertThrows(ImageFnException.class, () -> record("m-1", " "));
        assertEquals(ErrorCode.INVALID_REQUEST, invalid.code());
        store.down.set(true);
        ImageFnException down = assertThrows(ImageFnException.class, () -> record("m-2", "a fox"));
        assertTrue(down.disposition().redeliver(), down.code().name());
        store.down.set(false);
        assertEquals(List.of(), batches.flush(deadline()));
    }

    @Test
    void aFreshResultCostsHalfTheStandardPriceAndAReusedOneNothing() {
        ImageResult r = new ImageResult("images", "k.png", null, "image/png", 1, "s", 8, 8,
                List.of(new ImageResult.StoredImage("k.png", "image/png", 1, "s", 8, 8)), null, "m", "m", null,
                new ImageResult.Cost(new BigDecimal("0.067"), "m 1K standard"), false, "r");
        ImageResult batch = BatchJobs.atBatchPrice(r);
        assertEquals(0, new BigDecimal("0.0335").compareTo(batch.cost().usd()));
        assertEquals("m 1K batch (50% of standard)", batch.cost().basis());
        assertFalse(batch.reused());
    }

    @Test
    void anOrphanWhoseIntentCouldNotBeWrittenIsSubmittedOnceTheStoreIsBack() {
        record("m-1", "a fox");
        store.refusesDocument = key -> key.contains("/submitting/");
        batches.flush(deadline());
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        batches.poll(deadline()); // the sweep claims it; the intent write fails again
        store.refusesDocument = key -> false;
        for (int i = 0; i < 3; i++) {
            now.addAndGet(Duration.ofMinutes(21).toMillis());
            batches.poll(deadline());
        }
        assertEquals(1, documents("entries/").size());
        assertEquals(1, gemini.submissions.size(), "stuck: the orphan claim is never let go");
    }

    @Test
    void anOrphanWhoseBatchWasCancelledIsSubmittedAgain() {
        record("m-1", "a fox");
        gemini.submitFailure = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "503");
        batches.flush(deadline());
        gemini.submitFailure = null;
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        store.refusesDocument = key -> key.contains("/running/");
        batches.poll(deadline()); // sweep claims, submits, record fails, cancel ok, intent forgotten
        store.refusesDocument = key -> false;
        int before = gemini.submissions.size();
        for (int i = 0; i < 3; i++) {
            now.addAndGet(Duration.ofMinutes(21).toMillis());
            batches.poll(deadline());
        }
        assertEquals(List.of("batches/b1"), gemini.cancelled);
        assertEquals(1, documents("entries/").size());
        assertTrue(gemini.submissions.size() > before, "stuck: cancelled, no intent, claim kept; submissions="
                + gemini.submissions.size());
    }

    @Test
    void aRevokedKeyWhileAnIntentIsUnresolvedDoesNotPayTwice() {
        record("m-1", "a fox");
        gemini.answerLost = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "answer lost");
        batches.flush(deadline()); // batch b1 created, intent stays
        gemini.answerLost = null;
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        ImageFnException auth = new ImageFnException(ErrorCode.UPSTREAM_AUTH, "400 API_KEY_INVALID");
        gemini.findFailure = auth;
        gemini.submitFailure = auth;
        batches.poll(deadline());
        gemini.findFailure = null;
        gemini.submitFailure = null;
        now.addAndGet(Duration.ofMinutes(21).toMillis());
        batches.poll(deadline());
        assertEquals(1, gemini.submissions.size(), "b1 exists at Gemini, yet the job was submitted again");
    }
}
