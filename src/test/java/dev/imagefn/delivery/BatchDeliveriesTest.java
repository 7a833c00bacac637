package dev.imagefn.delivery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.core.ObjectKeys;
import dev.imagefn.core.PipelineMetrics;
import dev.imagefn.core.RequestValidator;
import dev.imagefn.core.batch.BatchGateway;
import dev.imagefn.core.batch.BatchJobs;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.testing.InMemoryImageStore;
import dev.imagefn.testing.ScriptedGenerator;
import dev.imagefn.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Batch mode at the delivery layer: a record is acknowledged only once it is recorded. */
class BatchDeliveriesTest {
    private final InMemoryImageStore store = new InMemoryImageStore("images");
    private final ScriptedGenerator sync = new ScriptedGenerator();
    private final List<Integer> submitted = new ArrayList<>();
    private final ImagefnConfig config = TestConfig.of(Map.of("pipeline.mode", "batch", "idempotency.claim-fence",
            "0ms"));
    private final Deliveries deliveries = deliveries();

    private Deliveries deliveries() {
        ModelCatalogue catalogue = new ModelCatalogue(config);
        ImagePipeline pipeline = new ImagePipeline(new RequestValidator(catalogue, config), sync, store,
                new ObjectKeys(config), config, new PipelineMetrics(new SimpleMeterRegistry()), catalogue);
        FailureRecords failures = new FailureRecords(store, config);
        BatchGateway gateway = new BatchGateway() {
            @Override
            public String submit(String model, String displayName, List<Request> requests, Deadline deadline) {
                submitted.add(requests.size());
                return "batches/x" + submitted.size();
            }

            @Override
            public Status get(String name, Deadline deadline) {
                return new Status(name, "BATCH_STATE_RUNNING");
            }

            @Override
            public void results(String name, Deadline deadline, java.util.function.Consumer<Result> each) {
                throw new AssertionError("no batch here succeeds");
            }

            @Override
            public java.util.Optional<String> find(String displayName, Deadline deadline) {
                throw new AssertionError("no create answer is lost here");
            }

            @Override
            public void cancel(String name, Deadline deadline) {
                throw new AssertionError("nothing here cancels a batch");
            }
        };
        return new Deliveries(pipeline, failures,
                new JobTelemetry(io.opentelemetry.api.OpenTelemetry.noop().getTracer("test"), io.opentelemetry.api.OpenTelemetry.noop()),
                new BatchJobs(pipeline, store, store, gateway,
                new BatchFailureRecords(failures), config));
    }

    private Outcome sqs(String id, String prompt) {
        Delivery d = new Delivery("sqs", id, IdempotencyKey.delivery("sqs", id), "{\"prompt\":\"" + prompt + "\"}",
                "req/" + id, Deadline.after(Duration.ofMinutes(1)));
        return deliveries.run(d, () -> new ImageRequest(prompt, null, null, null, List.of(), false, null, false, null,
                null, null, Map.of(), false));
    }

    @Test
    void onlyARecordThatCouldNotBeRecordedComesAgain() {
        Outcome recorded = sqs("m-1", "a fox");
        Outcome invalid = sqs("m-2", "");
        store.down.set(true);
        Outcome notRecorded = sqs("m-3", "a hen");
        store.down.set(false);

        assertFalse(recorded.redeliver());
        assertEquals("recorded for the next Gemini batch", recorded.skipped());
        assertFalse(invalid.redeliver());
        assertNotNull(invalid.failureRecord(), "an invalid job gets its failure record at once");
        assertEquals(ErrorCode.INVALID_REQUEST, invalid.error().code());
        assertTrue(notRecorded.redeliver(), "not durable: back to the queue");
        assertNull(notRecorded.failureRecord());

        deliveries.endOfInvocation(Deadline.after(Duration.ofMinutes(1)));
        assertEquals(List.of(1), submitted, "one batch with the one recorded job");
        assertEquals(0, sync.calls());
    }
}
