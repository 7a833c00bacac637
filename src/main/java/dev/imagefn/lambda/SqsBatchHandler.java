package dev.imagefn.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.pipeline.EventBodies;
import dev.imagefn.pipeline.FailureRecords;
import dev.imagefn.pipeline.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * An SQS batch, records processed a few at a time within the invocation deadline. A record's body is an
 * event, a structured CloudEvent, or an S3 notification (S3 → SQS). Retryable failures go back in
 * {@code batchItemFailures} (the event source mapping needs {@code ReportBatchItemFailures}); permanent ones
 * are written as failure records and acknowledged. A redelivered message (same messageId) pays once.
 */
@ApplicationScoped
class SqsBatchHandler {
    private static final Logger LOG = Logger.getLogger(SqsBatchHandler.class);

    private final ImagePipeline pipeline;
    private final EventBodies bodies;
    private final S3EventAdapter s3;
    private final FailureRecords failures;
    private final ObjectMapper json;
    private final ImagefnConfig config;

    @Inject
    SqsBatchHandler(ImagePipeline pipeline, EventBodies bodies, S3EventAdapter s3, FailureRecords failures,
            ObjectMapper json, ImagefnConfig config) {
        this.pipeline = pipeline;
        this.bodies = bodies;
        this.s3 = s3;
        this.failures = failures;
        this.json = json;
        this.config = config;
    }

    List<Outcome> handle(JsonNode event, String requestId, Deadline deadline) {
        List<JsonNode> records = new ArrayList<>();
        event.path("Records").forEach(records::add);
        int threads = Math.max(1, Math.min(config.lambda().sqsConcurrency(), records.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "imagefn-sqs");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (JsonNode record : records) {
                futures.add(pool.submit(() -> handleRecord(record, requestId, deadline)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                String id = records.get(i).path("messageId").asText();
                outcomes.add(await(futures.get(i), id, deadline));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private Outcome handleRecord(JsonNode record, String requestId, Deadline deadline) {
        String messageId = record.path("messageId").asText();
        if (deadline.remaining().compareTo(config.lambda().recordStartBudget()) < 0) {
            return Outcome.retry(messageId, new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT,
                    "not enough time left in this invocation to start it"));
        }
        String body = record.path("body").asText("");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        try {
            JsonNode tree = tree(bytes);
            if (tree != null && tree.path("Records").isArray() && !tree.path("Records").isEmpty()
                    && "aws:s3".equals(tree.path("Records").get(0).path("eventSource").asText())) {
                List<Outcome> objects = s3.handle(tree, requestId, deadline);
                return objects.stream().filter(o -> o.status() == Outcome.Status.RETRY).findFirst()
                        .map(o -> Outcome.retry(messageId, o.error()))
                        .orElse(new Outcome(messageId, Outcome.Status.GENERATED, null, null, null));
            }
            ImageRequest request = bodies.read(bytes, tree, "sqs:" + messageId, true);
            return Outcome.done(messageId, pipeline.run(request, requestId + "/" + messageId, deadline));
        } catch (ImageFnException e) {
            return failures.outcomeOf(e, "sqs", messageId, record.path("eventSourceARN").asText(null), body, requestId);
        } catch (RuntimeException e) {
            LOG.errorf(e, "SQS message %s failed unexpectedly", messageId);
            return Outcome.retry(messageId, new ImageFnException(ErrorCode.INTERNAL, e.toString()));
        }
    }

    private static Outcome await(Future<Outcome> future, String id, Deadline deadline) {
        try {
            return future.get(Math.max(1, deadline.remaining().toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            return Outcome.retry(id, new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "not finished in time"));
        } catch (ExecutionException e) {
            return Outcome.retry(id, new ImageFnException(ErrorCode.INTERNAL, String.valueOf(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.retry(id, new ImageFnException(ErrorCode.INTERNAL, "interrupted"));
        }
    }

    private JsonNode tree(byte[] body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }
}
