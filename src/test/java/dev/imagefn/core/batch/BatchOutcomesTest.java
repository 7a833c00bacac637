package dev.imagefn.core.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import dev.imagefn.core.ReferenceImage;
import dev.imagefn.core.RequestValidator;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.testing.InMemoryImageStore;
import dev.imagefn.testing.ScriptedGenerator;
import dev.imagefn.testing.TestConfig;
import dev.imagefn.testing.TestImages;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Every batch job gets one outcome, is paid once, and keeps what Gemini was paid for (README, Batch mode). */
class BatchOutcomesTest {
    private final InMemoryImageStore store = new InMemoryImageStore("images");
    private final ScriptedGenerator sync = new ScriptedGenerator();
    private final FakeBatchGateway gemini = new FakeBatchGateway();
    private final List<String> failureRecords = new CopyOnWriteArrayList<>();
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final ImagefnConfig config = TestConfig.of(Map.of("pipeline.mode", "batch",
            "idempotency.claim-fence", "0ms", "storage.reference-buckets", "images"));
    private final ModelCatalogue catalogue = new ModelCatalogue(config) {
        @Override
        public dev.imagefn.core.ModelSpec resolve(String requested) {
            return new dev.imagefn.core.ModelSpec("gemini-3.1-flash-image", List.of("1:1"), List.of("1K"), 14,
                    List.of(), true, Map.of(), true);
        }
    };
    private final ImagePipeline pipeline = new ImagePipeline(new RequestValidator(catalogue, config), sync, store,
            new ObjectKeys(config), config, new PipelineMetrics(new SimpleMeterRegistry()), catalogue);
    private final List<Boolean> recordedRetryable = new CopyOnWriteArrayList<>();
    private final BatchJobs batches = new BatchJobs(pipeline, store, store, gemini, (entry, problem) -> {
        String key = "generated/failures/" + entry.kind() + "-" + entry.deliveryId() + ".json";
        failureRecords.add(key + " " + problem.code());
        recordedRetryable.add(problem.retryable());
        return key;
    }, config, now::get);

    private static ImageRequest request(String prompt, String idempotencyKey, List<ReferenceImage> refs) {
        return new ImageRequest(prompt, null, null, null, refs, false, null, false, null, null, idempotencyKey,
                Map.of(), false);
    }

    private BatchJobs.Recorded record(String messageId, ImageRequest r) {
        return batches.record("sqs", messageId, IdempotencyKey.delivery("sqs", messageId), "{\"m\":1}",
                "req/" + messageId, r);
    }

    private static Deadline deadline() {
        return Deadline.after(Duration.ofMinutes(1));
    }

    private void later() {
        now.addAndGet(Duration.ofMinutes(21).toMillis());
    }

    private int entries() {
        return store.listKeys("generated/.batches/entries/", 1000).size();
    }

    /**
     * An entry the orphan sweep submitted, whose batch is then lost and whose resubmission fails for a moment, is
     * the orphan sweep's again: it used to keep the sweep's first claim for good and never get an outcome.
     */
    @Test
    void anOrphanWhoseBatchIsLostAndWhoseResubmissionFailsIsSweptAgain() {
        record("m-1", request("a fox", null, List.of()));
        gemini.submitFailure = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "down");
        batches.flush(deadline());                       // the end-of-invocation submit fails
        gemini.submitFailure = null;
        later();
        batches.poll(deadline());                        // the orphan sweep submits it as batches/b1
        assertEquals(1, gemini.submissions.size());
        gemini.set("batches/b1", "BATCH_STATE_EXPIRED");
        gemini.submitFailure = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "503 for a moment");
        batches.poll(deadline());                        // lost: the resubmission fails, the entry "stays pending"
        gemini.submitFailure = null;
        for (int i = 0; i < 5; i++) {
            later();
            batches.poll(deadline());
        }
        assertTrue(gemini.submissions.size() > 1 || !failureRecords.isEmpty(),
                "the job is neither submitted again nor failed: submissions=" + gemini.submissions.size()
                        + " failureRecords=" + failureRecords);
    }

    /**
     * A batch Gemini refuses for good (a 404 for the model, which the batch client answers as MODEL_UNAVAILABLE,
     * or a 400) is not submitted again at every poll: its jobs become failure records.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = ErrorCode.class, names = {"MODEL_UNAVAILABLE", "INVALID_REQUEST"})
    void aBatchGeminiRefusesForGoodEndsItsJobsAsFailureRecords(ErrorCode refusal) {
        record("m-1", request("a fox", null, List.of()));
        gemini.submitFailure = new ImageFnException(refusal, "models/gemini-3.1-flash-image is not found");
        batches.flush(deadline());
        for (int i = 0; i < 5; i++) {
            later();
            batches.poll(deadline());
        }
        assertEquals(List.of("generated/failures/sqs-m-1.json " + refusal), failureRecords,
                "entries still pending: " + entries());
        assertEquals(1, gemini.submitAttempts.get(), "asked once, not at every poll");
        assertEquals(0, entries());
    }

    /** An idempotencyKey a synchronous call already answered is not sent to Gemini again in a batch. */
    @Test
    void anIdempotencyKeyAlreadyAnsweredSynchronouslyIsNotPaidAgainInABatch() {
        sync.thenImage();
        ImageResult first = pipeline.run(request("a fox", "order-42", List.of()), null, "r0", deadline());
        assertEquals(1, sync.calls());
        BatchJobs.Recorded r = record("m-1", request("a fox", "order-42", List.of()));
        batches.flush(deadline());
        assertEquals(BatchJobs.Recorded.ALREADY_DONE, r, "first key " + first.key());
        assertEquals(0, gemini.submissions.size());
        ImageFnException conflict = org.junit.jupiter.api.Assertions.assertThrows(ImageFnException.class,
                () -> record("m-2", request("another fox", "order-42", List.of())));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, conflict.code());
    }

    /**
     * A result Gemini generated (and billed) is stored even when the reference it was made from is gone by the
     * poll: the answer does not need it any more.
     */
    @Test
    void aPaidBatchResultIsStoredWhenItsReferenceWasDeletedBeforeThePoll() {
        store.putObject("images", "uploads/photo.png", TestImages.png(8, 8, 0x336699, 0), "image/png", Map.of());
        record("m-1", request("make it a watercolor", null,
                List.of(new ReferenceImage.Stored("images", "uploads/photo.png"))));
        batches.flush(deadline());
        store.delete("uploads/photo.png");              // the upload is cleaned up while the batch runs
        gemini.set("batches/b1", "BATCH_STATE_SUCCEEDED");
        PollReport report = batches.poll(deadline());
        assertEquals(1, report.stored().size(), "failed instead: " + failureRecords);
    }

    /** While a synchronous call under the same idempotencyKey is generating, the copy goes back to its queue. */
    @Test
    void aJobRecordedWhileTheSynchronousCallRunsIsNotSentToo() {
        java.util.concurrent.atomic.AtomicReference<ImageFnException> refused =
                new java.util.concurrent.atomic.AtomicReference<>();
        sync.thenImage();
        pipeline.run(request("a fox", "order-7", List.of()), null, "r0", deadline(), (request, d) -> {
            try {
                record("m-1", request("a fox", "order-7", List.of()));
            } catch (ImageFnException e) {
                refused.set(e);
            }
            return sync.generate(request, d);
        });
        batches.flush(deadline());
        assertEquals(0, gemini.submissions.size());
        assertEquals(ErrorCode.IDEMPOTENCY_IN_PROGRESS, refused.get().code());
        assertTrue(refused.get().retryable(), "transient: the queue sends it again, and then it is answered");
    }

    /** A key whose synchronous run ended in a paid failure gives that failure, which the delivery records. */
    @Test
    void aJobWhoseKeyEndedInAPaidFailureGetsThatFailure() {
        sync.thenNoImage();
        org.junit.jupiter.api.Assertions.assertThrows(ImageFnException.class,
                () -> pipeline.run(request("a fox", "order-8", List.of()), null, "r0", deadline()));
        ImageFnException e = org.junit.jupiter.api.Assertions.assertThrows(ImageFnException.class,
                () -> record("m-1", request("a fox", "order-8", List.of())));
        assertEquals(ErrorCode.NO_IMAGE, e.code());
        assertEquals(dev.imagefn.core.Disposition.PAID_FAILED, e.disposition());
        assertEquals(0, gemini.submitAttempts.get());
    }

    /** A create refused for the model made no batch: no intent is left to look up. */
    @Test
    void aCreateRefusedForTheModelLeavesNoIntent() {
        record("m-1", request("a fox", null, List.of()));
        gemini.submitFailure = new ImageFnException(ErrorCode.MODEL_UNAVAILABLE, "404");
        batches.flush(deadline());
        assertEquals(List.of(), store.listKeys("generated/.batches/submitting/", 100));
    }

    /** A batch lost twice: its jobs' failure records are final, not "retryable", whatever the code says. */
    @Test
    void aFailureRecordIsFinal() {
        record("m-1", request("a fox", null, List.of()));
        batches.flush(deadline());
        gemini.set("batches/b1", "BATCH_STATE_EXPIRED");
        batches.poll(deadline());
        gemini.set("batches/b2", "BATCH_STATE_EXPIRED");
        batches.poll(deadline());
        assertEquals(List.of("generated/failures/sqs-m-1.json UPSTREAM_UNAVAILABLE"), failureRecords);
        assertEquals(List.of(false), recordedRetryable);
    }
}
