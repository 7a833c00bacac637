package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.idempotency.Idempotency;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.testing.ForwardingRecordStore;
import dev.imagefn.testing.InMemoryImageStore;
import dev.imagefn.testing.ScriptedGenerator;
import dev.imagefn.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The pipeline on an in-memory store and a scripted generator: every rule about paying, in milliseconds. */
class ImagePipelineTest {
    private final InMemoryImageStore store = new InMemoryImageStore("images");
    private final ScriptedGenerator gemini = new ScriptedGenerator();
    private final ImagefnConfig config = TestConfig.defaults();
    private final ImagePipeline pipeline = pipeline();

    private ImagePipeline pipeline() {
        ModelCatalogue catalogue = new ModelCatalogue(config);
        return new ImagePipeline(new RequestValidator(catalogue, config), gemini, store, new ObjectKeys(config), config,
                new PipelineMetrics(new SimpleMeterRegistry()), catalogue,
                new Idempotency(store, "generated/.idempotency/", Duration.ZERO, Duration.ofSeconds(1)));
    }

    private static ImageRequest request(String prompt, String key, String idempotencyKey) {
        return new ImageRequest(prompt, null, null, null, List.of(), false, null, false, null, key, idempotencyKey,
                Map.of(), false);
    }

    private ImageResult run(ImageRequest r, IdempotencyKey delivery) {
        return pipeline.run(r, delivery, "req", Deadline.after(Duration.ofMinutes(1)));
    }

    @Test
    void aDeliveryIdentityPaysOnceAndTheRepeatIsReused() {
        IdempotencyKey sqs = IdempotencyKey.delivery("sqs", "m-1");
        ImageResult first = run(request("a fox", null, null), sqs);
        ImageResult again = run(request("a fox", null, null), sqs);
        assertEquals(1, gemini.calls());
        assertEquals(first.key(), again.key());
        assertTrue(again.reused());
        assertEquals(0, again.cost().usd().signum());
        assertEquals(1, store.objects().size());
    }

    /**
     * Presigning comes after the images are stored and the call paid: when it fails, the images are removed and the
     * failure is paid, so a redelivery replays it instead of paying Gemini again (it was transient, and left them).
     */
    @Test
    void aPresignThatFailsAfterTheImagesAreStoredLeavesNothingAndIsNotPaidAgain() {
        store.presignFails = true;
        IdempotencyKey sqs = IdempotencyKey.delivery("sqs", "m-presign");
        ImageRequest presigned = new ImageRequest("a fox", null, null, null, List.of(), false, null, false, null, null,
                null, Map.of(), true);
        ImageFnException first = assertThrows(ImageFnException.class, () -> run(presigned, sqs));
        assertEquals(Disposition.PAID_FAILED, first.disposition());
        assertTrue(store.objects().isEmpty(), "no image left behind: " + store.objects());
        ImageFnException again = assertThrows(ImageFnException.class, () -> run(presigned, sqs));
        assertEquals(first.code(), again.code());
        assertEquals(1, gemini.calls(), "the redelivery replays the paid failure");
    }

    /**
     * The image PUTs are bounded to end before the job's idempotency lease does (the deadline + 30 s, less 10 s for
     * the record): a PUT that stalls past it fails instead of letting a redelivery take the key over and pay again.
     */
    @Test
    void theImagesAreWrittenBeforeTheLeaseEnds() {
        Deadline deadline = Deadline.after(Duration.ofMinutes(1));
        pipeline.run(request("a fox", null, null), IdempotencyKey.delivery("sqs", "m-bound"), "req", deadline);
        assertEquals(deadline.epochMillis() + 20_000, store.lastPutBy.epochMillis());
    }

    @Test
    void withoutAnyIdentityEveryCallIsANewImage() {
        run(request("a fox", null, null), null);
        run(request("a fox", null, null), null);
        assertEquals(2, gemini.calls());
        assertTrue(store.records().documents().isEmpty(), "no identity, no record");
    }

    @Test
    void aTakenExplicitKeyIsRefusedBeforeThePaidCall() {
        run(request("first", "hero.png", null), null);
        var e = assertThrows(ImageFnException.class, () -> run(request("second", "hero.png", null), null));
        assertEquals(ErrorCode.KEY_EXISTS, e.code());
        assertEquals(1, gemini.calls());
    }

    /** The pipeline with an idempotency store whose completions always fail (S3 answering 503), on a clock. */
    private ImagePipeline pipelineWhoseCompletionsFail(java.util.concurrent.atomic.AtomicLong clock) {
        dev.imagefn.core.idempotency.RecordStore failing = new ForwardingRecordStore(store) {
            @Override
            public boolean replaceDocument(String key, byte[] body, String etag) {
                if (!new String(body, java.nio.charset.StandardCharsets.UTF_8).contains("IN_PROGRESS")) {
                    throw new IllegalStateException("503 SlowDown");
                }
                return super.replaceDocument(key, body, etag);
            }
        };
        ModelCatalogue catalogue = new ModelCatalogue(config);
        return new ImagePipeline(new RequestValidator(catalogue, config), gemini, store, new ObjectKeys(config), config,
                new PipelineMetrics(new SimpleMeterRegistry()), catalogue, new Idempotency(failing,
                        "generated/.idempotency/", Duration.ZERO, Duration.ofSeconds(1), d -> { }, clock::get));
    }

    private static ImageRequest seeded(String prompt, String key, String idempotencyKey, int seed) {
        return new ImageRequest(prompt, null, null, null, List.of(), false, null, false, seed, key, idempotencyKey,
                Map.of(), false);
    }

    /**
     * A job whose idempotency record could not be completed (S3 failing after its images were stored) runs again
     * after its lease: the images at its explicit key that the earlier run stored are its answer, not a taken key.
     */
    @Test
    void aRunAgainAfterItsRecordCouldNotBeCompletedFindsItsOwnImagesAtTheExplicitKey() {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(
                System.currentTimeMillis());
        ImagePipeline p = pipelineWhoseCompletionsFail(clock);
        gemini.thenImages(2);
        ImageResult first = p.run(seeded("a fox", "hero.png", "order-7", 1), null, "req-1",
                Deadline.after(Duration.ofMinutes(1)));
        assertEquals(2, store.objects().size(), store.objects().keySet().toString());
        clock.addAndGet(Duration.ofHours(1).toMillis()); // the lease is over
        ImageResult again = p.run(seeded("a fox", "hero.png", "order-7", 1), null, "req-2",
                Deadline.after(Duration.ofMinutes(1)));
        assertEquals(1, gemini.calls(), "not paid again");
        assertTrue(again.reused());
        assertEquals(first.images(), again.images());
        assertEquals(0, again.cost().usd().signum());
    }

    /**
     * An expired record can be taken over by a changed request with the same idempotency key: the images at the
     * explicit key are not its answer (another seed, other metadata), and not someone else's key either.
     */
    @Test
    void imagesAtTheExplicitKeyOfAnotherRequestAreStillATakenKey() {
        java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(
                System.currentTimeMillis());
        ImagePipeline p = pipelineWhoseCompletionsFail(clock);
        p.run(seeded("a fox", "hero.png", "order-8", 1), null, "req-1", Deadline.after(Duration.ofMinutes(1)));
        clock.addAndGet(Duration.ofHours(1).toMillis());
        for (ImageRequest other : List.of(seeded("a fox", "hero.png", "order-8", 2),
                new ImageRequest("a fox", null, null, null, List.of(), false, null, false, 1, "hero.png", "order-8",
                        Map.of("owner", "mallory"), false),
                seeded("a fox", "hero.png", "order-9", 1), seeded("a cat", "hero.png", "order-8", 1))) {
            var e = assertThrows(ImageFnException.class, () -> p.run(other, IdempotencyKey.delivery("sqs", "m-8"),
                    "req-2", Deadline.after(Duration.ofMinutes(1))));
            assertEquals(ErrorCode.KEY_EXISTS, e.code(), other.toString());
        }
        assertEquals(1, gemini.calls());
    }

    /** Gemini's model version has no set length; S3's 2 KB of user metadata must still hold the image's. */
    @Test
    void aLongModelVersionIsCutToFitTheMetadata() {
        String version = "gemini-3.1-flash-image-" + "x".repeat(3000);
        ImageGenerator longVersion = (r, d) -> {
            Generation g = gemini.generate(r, d);
            return new Generation(g.images(), g.text(), version, g.responseId(), g.usage());
        };
        ModelCatalogue catalogue = new ModelCatalogue(config);
        ImagePipeline p = new ImagePipeline(new RequestValidator(catalogue, config), longVersion, store,
                new ObjectKeys(config), config, new PipelineMetrics(new SimpleMeterRegistry()), catalogue,
                new Idempotency(store, "generated/.idempotency/", Duration.ZERO, Duration.ofSeconds(1)));
        ImageResult r = p.run(request("a fox", null, null), null, "req", Deadline.after(Duration.ofMinutes(1)));
        String stored = store.head(r.key()).orElseThrow().metadata().get(StoredMetadata.MODEL_VERSION);
        assertEquals(version.substring(0, ImagePipeline.MAX_MODEL_VERSION), stored);
    }

    @Test
    void aPaidFailureIsRecordedAndReplayedWithoutPaying() {
        gemini.thenNoImage();
        IdempotencyKey ce = IdempotencyKey.delivery("cloudevent", "src#1");
        var first = assertThrows(ImageFnException.class, () -> run(request("x", null, null), ce));
        assertEquals(ErrorCode.NO_IMAGE, first.code());
        assertEquals(Disposition.PAID_FAILED, first.disposition());
        var again = assertThrows(ImageFnException.class, () -> run(request("x", null, null), ce));
        assertEquals(ErrorCode.NO_IMAGE, again.code());
        assertFalse(again.retryable());
        assertEquals(1, gemini.calls());
        assertTrue(store.objects().isEmpty(), "a failure leaves no object");
    }

    @Test
    void aFailureThatPaidNothingLeavesTheIdentityFree() {
        gemini.thenFail(new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "503"));
        IdempotencyKey sqs = IdempotencyKey.delivery("sqs", "m-2");
        var e = assertThrows(ImageFnException.class, () -> run(request("x", null, null), sqs));
        assertTrue(e.retryable());
        run(request("x", null, null), sqs);
        assertEquals(2, gemini.calls(), "the redelivery tries again");
    }

    @Test
    void storageFailingAfterThePaidCallIsAPaidFailureAndLeavesNothing() {
        IdempotencyKey sqs = IdempotencyKey.delivery("sqs", "m-3");
        ImageGenerator failingStoreAfterwards = (r, d) -> {
            var g = gemini.generate(r, d);
            store.down.set(true);
            return g;
        };
        ModelCatalogue catalogue = new ModelCatalogue(config);
        ImagePipeline p = new ImagePipeline(new RequestValidator(catalogue, config), failingStoreAfterwards, store,
                new ObjectKeys(config), config, new PipelineMetrics(new SimpleMeterRegistry()), catalogue,
                new Idempotency(store, "generated/.idempotency/", Duration.ZERO, Duration.ofSeconds(1)));
        var e = assertThrows(ImageFnException.class, () -> p.run(request("x", null, null), sqs, "req",
                Deadline.after(Duration.ofMinutes(1))));
        assertEquals(ErrorCode.STORAGE_UNAVAILABLE, e.code());
        assertEquals(Disposition.PAID_FAILED, e.disposition(), "Gemini was paid: a redelivery must not pay again");
        assertFalse(e.retryable());
        store.down.set(false);
        assertTrue(store.objects().isEmpty());
    }

    @Test
    void theCallersKeyWinsOverTheDeliverysAndAConflictingReuseIsRefused() {
        run(request("one", null, "order-1"), IdempotencyKey.delivery("sqs", "m-4"));
        run(request("one", null, "order-1"), IdempotencyKey.delivery("sqs", "m-5"));
        assertEquals(1, gemini.calls(), "the same idempotencyKey from another message is the same job");
        var e = assertThrows(ImageFnException.class, () -> run(request("two", null, "order-1"), null));
        assertEquals(ErrorCode.IDEMPOTENCY_CONFLICT, e.code());
        assertEquals(1, gemini.calls());
    }

    @Test
    void aReusedImageThatWasDeletedIsGeneratedAgain() {
        ImageResult first = run(request("gone", null, "k-1"), null);
        store.delete(first.key());
        ImageResult again = run(request("gone", null, "k-1"), null);
        assertFalse(again.reused());
        assertEquals(2, gemini.calls());
    }

    @Test
    void aReuseNeverHandsOutAnImageSomeoneElsePutUnderTheSameKey() {
        ImageResult mine = run(request("mine", "k.png", "key-A"), null);
        store.delete(mine.key());
        run(request("someone else's", "k.png", null), null);
        var e = assertThrows(ImageFnException.class, () -> run(request("mine", "k.png", "key-A"), null));
        assertEquals(ErrorCode.KEY_EXISTS, e.code(), "the record's bytes are gone: not a reuse of another image");
    }
}
