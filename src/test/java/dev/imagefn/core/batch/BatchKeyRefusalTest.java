package dev.imagefn.core.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpServer;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.core.ObjectKeys;
import dev.imagefn.core.PipelineMetrics;
import dev.imagefn.core.RequestValidator;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.gemini.GeminiBatchClient;
import dev.imagefn.testing.InMemoryImageStore;
import dev.imagefn.testing.ScriptedGenerator;
import dev.imagefn.testing.TestConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A bad or revoked Gemini key (Gemini answers 400 API_KEY_INVALID) must leave batch jobs pending, not fail them. */
class BatchKeyRefusalTest {
    private HttpServer server;

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void aRevokedKeyDoesNotFailEveryPendingJobForGood() throws Exception {
        byte[] body;
        try (InputStream in = getClass().getResourceAsStream(
                "/realworld/gemini-error__vertexai-sdk-test-data__400-api-key-invalid.json")) {
            body = in.readAllBytes();
        }
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(400, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.start();
        ImagefnConfig config = TestConfig.of(Map.of("pipeline.mode", "batch", "idempotency.claim-fence", "0ms",
                "gemini.base-url", "http://127.0.0.1:" + server.getAddress().getPort()));
        ModelCatalogue catalogue = new ModelCatalogue(config);
        InMemoryImageStore store = new InMemoryImageStore("images");
        ImagePipeline pipeline = new ImagePipeline(new RequestValidator(catalogue, config), new ScriptedGenerator(),
                store, new ObjectKeys(config), config, new PipelineMetrics(new SimpleMeterRegistry()), catalogue);
        List<String> failureRecords = new CopyOnWriteArrayList<>();
        BatchJobs batches = new BatchJobs(pipeline, store, store, new GeminiBatchClient(config), (entry, problem) -> {
            failureRecords.add(entry.deliveryId() + " " + problem.code());
            return "generated/failures/" + entry.deliveryId() + ".json";
        }, config, System::currentTimeMillis);
        batches.record("sqs", "m-1", IdempotencyKey.delivery("sqs", "m-1"), "{}", "req/m-1",
                new ImageRequest("a fox", null, null, null, List.of(), false, null, false, null, null, null,
                        Map.of(), false));
        batches.flush(Deadline.after(Duration.ofSeconds(30)));
        assertEquals(List.of(), failureRecords, "a key problem (UPSTREAM_AUTH in the synchronous path) failed the job"
                + " for good; it should stay pending until the key is fixed");
        assertEquals(1, store.listKeys("generated/.batches/entries/", 100).size(), "the entry is gone");
    }
}
