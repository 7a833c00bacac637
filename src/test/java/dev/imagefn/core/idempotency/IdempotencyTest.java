package dev.imagefn.core.idempotency;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.ForwardingRecordStore;
import dev.imagefn.testing.InMemoryRecordStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The idempotency component on an in-memory store, a fake clock and a fake sleep: no S3, no waiting. */
class IdempotencyTest {
    private static final IdempotencyKey KEY = IdempotencyKey.caller("order-42");
    private final AtomicLong now = new AtomicLong(1_000_000);
    private final InMemoryRecordStore store = new InMemoryRecordStore();

    private Idempotency idempotency(Duration fence) {
        return new Idempotency(store, "p/.idempotency/", fence, Duration.ofSeconds(60),
                d -> now.addAndGet(d.toMillis()), now::get);
    }

    private Idempotency realTime(Duration fence) {
        return new Idempotency(store, "p/.idempotency/", fence, Duration.ofSeconds(10));
    }

    /** A handler whose work counts its runs; outcomes are plain strings. */
    static final class Counting implements Idempotency.Handler<String> {
        final AtomicInteger runs = new AtomicInteger();
        final String answer;
        final RuntimeException failure;
        volatile boolean stale;

        Counting(String answer) {
            this(answer, null);
        }

        Counting(String answer, RuntimeException failure) {
            this.answer = answer;
            this.failure = failure;
        }

        @Override
        public String run() {
            runs.incrementAndGet();
            if (failure != null) {
                throw failure;
            }
            return answer;
        }

        @Override
        public String encodeResult(String result) {
            return result;
        }

        @Override
        public Optional<String> reuse(String encoded) {
            return stale ? Optional.empty() : Optional.of("reused:" + encoded);
        }

        @Override
        public Optional<String> encodePaidFailure(RuntimeException f) {
            return f instanceof Paid ? Optional.of(f.getMessage()) : Optional.empty();
        }

        @Override
        public RuntimeException replay(String encoded) {
            return new Paid("again:" + encoded);
        }

        @Override
        public RuntimeException conflict() {
            return new IllegalStateException("conflict");
        }

        @Override
        public RuntimeException inProgress() {
            return new IllegalStateException("in progress");
        }
    }

    static final class Paid extends RuntimeException {
        Paid(String m) {
            super(m);
        }
    }

    @Test
    void theSecondCallGetsTheFirstResultWithoutRunningAgain() {
        Idempotency i = idempotency(Duration.ZERO);
        Counting h = new Counting("img-1");
        assertEquals("img-1", i.execute(KEY, "h", now.get() + 60_000, h));
        assertEquals("reused:img-1", i.execute(KEY, "h", now.get() + 60_000, h));
        assertEquals(1, h.runs.get());
    }

    @Test
    void anotherRequestHashIsAConflict() {
        Idempotency i = idempotency(Duration.ZERO);
        i.execute(KEY, "h1", now.get() + 60_000, new Counting("img"));
        Counting other = new Counting("other");
        var e = assertThrows(IllegalStateException.class, () -> i.execute(KEY, "h2", now.get() + 60_000, other));
        assertEquals("conflict", e.getMessage());
        assertEquals(0, other.runs.get());
    }

    @Test
    void namespacesNeverShareARecord() {
        Idempotency i = idempotency(Duration.ZERO);
        Counting h = new Counting("x");
        i.execute(IdempotencyKey.delivery("cloudevent", "src#1"), "h", now.get() + 60_000, h);
        i.execute(IdempotencyKey.caller("src#1"), "h", now.get() + 60_000, h);
        i.execute(IdempotencyKey.caller("delivery/cloudevent\nsrc#1"), "h", now.get() + 60_000, h);
        assertEquals(3, h.runs.get(), "a caller cannot claim a delivery's key");
    }

    @Test
    void aFailureThatPaidNothingReleasesTheKeyAndAPaidOneIsReplayed() {
        Idempotency i = idempotency(Duration.ZERO);
        Counting unpaid = new Counting(null, new IllegalArgumentException("nothing paid"));
        assertThrows(IllegalArgumentException.class, () -> i.execute(KEY, "h", now.get() + 60_000, unpaid));
        assertTrue(store.documents().isEmpty(), "released");
        IdempotencyKey other = IdempotencyKey.caller("paid");
        Counting paid = new Counting(null, new Paid("no image"));
        assertThrows(Paid.class, () -> i.execute(other, "h", now.get() + 60_000, paid));
        var again = assertThrows(Paid.class, () -> i.execute(other, "h", now.get() + 60_000, paid));
        assertEquals("again:no image", again.getMessage());
        assertEquals(1, paid.runs.get(), "a redelivery of a paid failure does not pay again");
    }

    @Test
    void aRecordInProgressIsWaitedForThenReportedAndAnExpiredOneIsTakenOver() {
        Idempotency i = idempotency(Duration.ZERO);
        long deadline = now.get() + 10_000;
        byte[] held = IdempotencyRecord.inProgress("someone", "h", deadline).toJson();
        store.createDocument(i.recordKey(KEY), held);
        Counting h = new Counting("mine");
        var e = assertThrows(IllegalStateException.class, () -> i.execute(KEY, "h", now.get() + 5_000, h));
        assertEquals("in progress", e.getMessage());
        assertEquals(0, h.runs.get());
        now.set(deadline + 1);
        assertEquals("mine", i.execute(KEY, "h", now.get() + 5_000, h), "a lease that ran out is taken over");
        assertEquals(1, h.runs.get());
    }

    @Test
    void aLeaseThatRanOutIsNoConflictForACorrectedRequest() {
        Idempotency i = idempotency(Duration.ZERO);
        long deadline = now.get() + 10_000;
        store.createDocument(i.recordKey(KEY), IdempotencyRecord.inProgress("crashed", "h1", deadline).toJson());
        Counting corrected = new Counting("fixed");
        assertEquals("conflict", assertThrows(IllegalStateException.class,
                () -> i.execute(KEY, "h2", now.get() + 5_000, corrected)).getMessage(), "a live lease still conflicts");
        now.set(deadline + 1);
        assertEquals("fixed", i.execute(KEY, "h2", now.get() + 5_000, corrected));
        assertEquals(1, corrected.runs.get());
        assertEquals("conflict", assertThrows(IllegalStateException.class,
                () -> i.execute(KEY, "h1", now.get() + 5_000, new Counting("old"))).getMessage(),
                "the completed record now holds the key");
    }

    @Test
    void aStaleResultRunsTheWorkAgain() {
        Idempotency i = idempotency(Duration.ZERO);
        Counting h = new Counting("img");
        i.execute(KEY, "h", now.get() + 60_000, h);
        h.stale = true;
        assertEquals("img", i.execute(KEY, "h", now.get() + 60_000, h));
        assertEquals(2, h.runs.get());
    }

    /**
     * Two claims check the store at the same moment and both pass (as S3Proxy allows); the second write lands 50 ms
     * after the first. Returns how often the work ran.
     */
    private int raceTwoClaims(Duration fence) throws Exception {
        CyclicBarrier bothChecked = new CyclicBarrier(2);
        AtomicInteger passed = new AtomicInteger();
        store.racy(() -> {
            try {
                bothChecked.await(2, TimeUnit.SECONDS);
                if (passed.incrementAndGet() == 2) {
                    Thread.sleep(50);
                }
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        Idempotency i = realTime(fence);
        Counting h = new Counting("img");
        ExecutorService pool = Executors.newFixedThreadPool(2);
        List<Future<String>> answers = new ArrayList<>();
        for (int n = 0; n < 2; n++) {
            answers.add(pool.submit(() -> i.execute(KEY, "h", System.currentTimeMillis() + 10_000, h)));
        }
        for (Future<String> f : answers) {
            f.get(10, TimeUnit.SECONDS);
        }
        pool.shutdown();
        return h.runs.get();
    }

    @Test
    void withAStoreThatChecksThenWritesTheFenceLetsExactlyOneClaimThrough() throws Exception {
        assertEquals(1, raceTwoClaims(Duration.ofMillis(250)));
    }

    @Test
    void withoutTheFenceTheSameRacePaysTwice() throws Exception {
        assertEquals(2, raceTwoClaims(Duration.ZERO), "the race the fence exists for");
    }

    @Test
    void recordsNameNeitherTheKeyNorTheNamespace() {
        Idempotency i = idempotency(Duration.ZERO);
        i.execute(KEY, "h", now.get() + 60_000, new Counting("x"));
        String name = store.documents().keySet().iterator().next();
        assertTrue(name.matches("p/\\.idempotency/[0-9a-f]{64}\\.json"), name);
        assertSame(null, store.documents().keySet().stream().filter(k -> k.contains("order-42")).findAny().orElse(null));
    }

    /**
     * The store's completion writes: the first {@code failures} throw as S3 does after the SDK's own retries, the
     * first of them after writing when {@code landed} (its answer lost).
     */
    private RecordStore completionsFailing(int failures, boolean landed) {
        AtomicInteger left = new AtomicInteger(failures);
        return new ForwardingRecordStore(store) {
            @Override
            public boolean replaceDocument(String key, byte[] body, String etag) {
                IdempotencyRecord r = IdempotencyRecord.fromJson(body);
                if (r.status() != IdempotencyRecord.Status.IN_PROGRESS && left.getAndDecrement() > 0) {
                    if (landed) {
                        super.replaceDocument(key, body, etag);
                    }
                    throw new IllegalStateException("503 SlowDown");
                }
                return super.replaceDocument(key, body, etag);
            }
        };
    }

    /**
     * A completion write that fails once is tried again: the redelivery after the lease reuses, it does not pay.
     * When the failed write did land (its answer lost), the try again is refused by the changed ETag and the record
     * stays completed (not released, not left in progress).
     */
    @Test
    void aCompletionThatFailsOnceIsWrittenAgain() {
        for (boolean landed : new boolean[] {false, true}) {
            store.documents().keySet().forEach(k -> store.deleteDocument(k, store.getDocument(k).get().etag()));
            List<Duration> pauses = new ArrayList<>();
            Idempotency i = new Idempotency(completionsFailing(1, landed), "p/.idempotency/", Duration.ZERO,
                    Duration.ofSeconds(60), d -> pauses.add(d), now::get);
            Counting h = new Counting("image-key");
            assertEquals("image-key", i.execute(KEY, "h", now.get() + 5_000, h));
            IdempotencyRecord r = IdempotencyRecord.fromJson(store.getDocument(i.recordKey(KEY)).get().body());
            assertEquals(IdempotencyRecord.Status.COMPLETED, r.status(), "landed " + landed);
            assertEquals(List.of(Duration.ofMillis(200)), pauses);
            now.addAndGet(120_000);
            assertEquals("reused:image-key", i.execute(KEY, "h", now.get() + 5_000, h));
            assertEquals(1, h.runs.get());
        }
    }

    /** Completion writes that keep failing stop after three tries; the answer stands. */
    @Test
    void aCompletionThatKeepsFailingGivesUpAfterThreeTries() {
        List<Duration> pauses = new ArrayList<>();
        Idempotency i = new Idempotency(completionsFailing(10, false), "p/.idempotency/", Duration.ZERO,
                Duration.ofSeconds(60), d -> pauses.add(d), now::get);
        assertEquals("image-key", i.execute(KEY, "h", now.get() + 5_000, new Counting("image-key")));
        assertEquals(List.of(Duration.ofMillis(200), Duration.ofSeconds(1)), pauses);
        assertEquals(IdempotencyRecord.Status.IN_PROGRESS,
                IdempotencyRecord.fromJson(store.getDocument(i.recordKey(KEY)).get().body()).status());
    }

    /**
     * The read-back of a claim S3 accepted fails once: it is read again and the job runs, instead of failing with
     * the record left in progress, ours, until its lease ends (every redelivery meanwhile told to wait).
     */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aClaimWhoseReadBackFailsOnceIsReadAgain(boolean refuseOwnCreate) {
        AtomicInteger reads = new AtomicInteger();
        AtomicInteger failAt = new AtomicInteger(-1);
        RecordStore flaky = new ForwardingRecordStore(store) {
            @Override
            public Optional<Document> getDocument(String key) {
                if (reads.getAndIncrement() == failAt.get()) {
                    throw new IllegalStateException("503 SlowDown");
                }
                return super.getDocument(key);
            }

            @Override
            public boolean createDocument(String key, byte[] body) {
                failAt.set(reads.get()); // the read right after the create
                boolean created = super.createDocument(key, body);
                return created && !refuseOwnCreate; // the SDK's retry of a create that landed sees 412
            }
        };
        List<Duration> pauses = new ArrayList<>();
        Idempotency i = new Idempotency(flaky, "p/.idempotency/", Duration.ZERO, Duration.ofSeconds(60),
                d -> pauses.add(d), now::get);
        Counting h = new Counting("image-key");
        assertEquals("image-key", i.execute(KEY, "h", now.get() + 5_000, h));
        assertEquals(1, h.runs.get());
        assertEquals(List.of(Duration.ofMillis(200)), pauses);
        assertEquals(IdempotencyRecord.Status.COMPLETED,
                IdempotencyRecord.fromJson(store.getDocument(i.recordKey(KEY)).get().body()).status());
    }
}
