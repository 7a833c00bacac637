package dev.imagefn.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.delivery.Deliveries;
import dev.imagefn.delivery.Delivery;
import dev.imagefn.delivery.EventBodies;
import dev.imagefn.delivery.JobTelemetry;
import dev.imagefn.delivery.Outcome;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.MDC;

/**
 * An SQS batch, records processed a few at a time within the invocation deadline. A record's body is an event, a
 * structured CloudEvent, or a storage notification (S3 → SQS, EventBridge → SQS), which is verified like any
 * other. What becomes of each record is its outcome's disposition: transient failures go back in
 * {@code batchItemFailures} (the event source mapping needs {@code ReportBatchItemFailures}); the others are
 * written as failure records and acknowledged. A redelivered message (same messageId) pays once.
 */
@ApplicationScoped
class SqsBatchHandler {
    static final Duration MIN_START = Duration.ofSeconds(10);
    private final Deliveries deliveries;
    private final EventBodies bodies;
    private final S3EventAdapter s3;
    private final ObjectMapper json;
    private final ImagefnConfig config;
    private final JobTelemetry telemetry;

    @Inject
    SqsBatchHandler(Deliveries deliveries, EventBodies bodies, S3EventAdapter s3, ObjectMapper json,
            ImagefnConfig config, JobTelemetry telemetry) {
        this.telemetry = telemetry;
        this.deliveries = deliveries;
        this.bodies = bodies;
        this.s3 = s3;
        this.json = json;
        this.config = config;
    }

    List<Outcome> handle(JsonNode event, String requestId, Deadline deadline) {
        List<JsonNode> records = new ArrayList<>();
        event.path("Records").forEach(records::add);
        List<List<Integer>> lanes = lanes(records);
        int threads = Math.max(1, Math.min(config.lambda().sqsConcurrency(), lanes.size()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "imagefn-sqs");
            t.setDaemon(true);
            return t;
        });
        try {
            List<CompletableFuture<Outcome>> results = new ArrayList<>();
            records.forEach(r -> results.add(new CompletableFuture<>()));
            Duration budget = startBudget(config.lambda().recordStartBudget(), deadline.remaining());
            Context invocation = Context.current();
            Object awsRequestId = MDC.get(LambdaHandler.AWS_REQUEST_ID);
            for (List<Integer> lane : lanes) {
                pool.execute(invocation.wrap(() -> {
                    if (awsRequestId != null) {
                        MDC.put(LambdaHandler.AWS_REQUEST_ID, awsRequestId);
                    }
                    try {
                        runLane(lane, records, results, requestId, deadline, budget);
                    } finally {
                        MDC.remove(LambdaHandler.AWS_REQUEST_ID);
                    }
                }));
            }
            // Records stop at the pipeline's deadline; their outcome is then recorded within the margin that is
            // kept before the invocation's end, so the wait here reaches into it instead of cutting them off.
            Deadline answerBy = new Deadline(deadline.epochMillis() + config.lambda().deadlineMargin().toMillis() / 2);
            List<Outcome> outcomes = new ArrayList<>();
            for (int i = 0; i < results.size(); i++) {
                outcomes.add(await(results.get(i), records.get(i).path("messageId").asText(), answerBy));
            }
            deliveries.endOfInvocation(answerBy);
            return outcomes;
        } finally {
            pool.shutdown();
        }
    }

    /**
     * Records that run one after the other. A FIFO queue's message group is one lane, in the batch's order; once one
     * of its messages goes back to the queue, the later ones are not started and go back too, so the group keeps its
     * order (as AWS asks of partial batch responses on FIFO queues). Any other record is a lane of its own.
     */
    static List<List<Integer>> lanes(List<JsonNode> records) {
        List<List<Integer>> lanes = new ArrayList<>();
        Map<String, List<Integer>> groups = new HashMap<>();
        for (int i = 0; i < records.size(); i++) {
            JsonNode r = records.get(i);
            if (r.path("eventSourceARN").asText("").endsWith(".fifo") || r.path("attributes").has("SequenceNumber")) {
                List<Integer> lane = groups.computeIfAbsent(r.path("attributes").path("MessageGroupId").asText(""),
                        g -> new ArrayList<>());
                if (lane.isEmpty()) {
                    lanes.add(lane);
                }
                lane.add(i);
            } else {
                lanes.add(List.of(i));
            }
        }
        return lanes;
    }

    private void runLane(List<Integer> lane, List<JsonNode> records, List<CompletableFuture<Outcome>> results,
            String requestId, Deadline deadline, Duration budget) {
        Outcome sentBack = null;
        for (int i : lane) {
            JsonNode record = records.get(i);
            String messageId = record.path("messageId").asText();
            if (sentBack != null) {
                results.get(i).complete(Outcome.failed(messageId, new ImageFnException(sentBack.error().code(),
                        "not started: message " + sentBack.id() + " of its FIFO message group goes back first")));
                continue;
            }
            Outcome outcome;
            try (Scope ignored = telemetry.enter(traceOf(record))) {
                outcome = handleRecord(record, requestId, deadline, budget);
            } catch (RuntimeException | Error e) {
                outcome = Outcome.failed(messageId, new ImageFnException(ErrorCode.INTERNAL, String.valueOf(e)));
            }
            results.get(i).complete(outcome);
            if (outcome.redeliver()) {
                sentBack = outcome;
            }
        }
    }

    /**
     * The budget keeps records that waited for a thread from starting a paid call too late; with a function timeout
     * under twice the configured budget it shrinks to half the invocation (so the first records start), but not
     * under {@link #MIN_START}.
     */
    static Duration startBudget(Duration configured, Duration invocation) {
        Duration half = invocation.dividedBy(2);
        if (configured.compareTo(half) <= 0) {
            return configured;
        }
        return half.compareTo(MIN_START) >= 0 ? half : configured.compareTo(MIN_START) < 0 ? configured : MIN_START;
    }

    private Outcome handleRecord(JsonNode record, String requestId, Deadline deadline, Duration budget) {
        String messageId = record.path("messageId").asText();
        if (deadline.remaining().compareTo(budget) < 0) {
            return Outcome.failed(messageId, new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT,
                    "not enough time left in this invocation to start it"));
        }
        String body = record.path("body").asText("");
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        JsonNode tree = tree(bytes);
        IdempotencyKey identity = IdempotencyKey.delivery("sqs", messageId);
        if (isSnsNotification(tree)) {
            // SNS delivers at least once: a second copy is another SQS message carrying the same notification.
            String notification = tree.path("MessageId").asText("");
            if (!notification.isBlank()) {
                identity = IdempotencyKey.delivery("sns", tree.path("TopicArn").asText() + "#" + notification);
            }
            bytes = tree.path("Message").asText().getBytes(StandardCharsets.UTF_8);
            tree = tree(bytes);
        }
        if (S3EventAdapter.isTestEvent(tree)) {
            return Outcome.skipped(messageId, "s3:TestEvent");
        }
        if (S3EventAdapter.isS3Notification(tree) || S3EventAdapter.isEventBridgeObjectEvent(tree)) {
            List<Outcome> objects = s3.handle(tree, requestId + "/" + messageId, deadline);
            return objects.stream().filter(Outcome::redeliver).findFirst()
                    .map(o -> Outcome.failed(messageId, o.error()))
                    .orElse(Outcome.skipped(messageId, "storage notification: " + objects.size() + " object(s)"));
        }
        Delivery delivery = new Delivery("sqs", messageId, identity, body,
                requestId + "/" + messageId, deadline);
        EventBodies.Job job;
        try {
            job = bodies.read(bytes, delivery.identity(), true);
        } catch (ImageFnException e) {
            return deliveries.fail(delivery, e);
        }
        Delivery identified = new Delivery("sqs", messageId, job.identity(), body, delivery.requestId(), deadline);
        return deliveries.run(identified, job::request);
    }

    /** The message's own trace: SQS's {@code AWSTraceHeader}, or a {@code traceparent} message attribute. */
    private static java.util.Map<String, String> traceOf(JsonNode record) {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        String xray = record.path("attributes").path("AWSTraceHeader").asText(null);
        if (xray != null) {
            out.put(JobTelemetry.XRAY_HEADER, xray);
        }
        for (String name : JobTelemetry.W3C_FIELDS) {
            String v = record.path("messageAttributes").path(name).path("stringValue").asText(null);
            if (v != null) {
                out.put(name, v);
            }
        }
        return out;
    }

    /** SNS → SQS without raw message delivery: the message is SNS's envelope, the event its {@code Message}. */
    static boolean isSnsNotification(JsonNode body) {
        return body != null && "Notification".equals(body.path("Type").asText(null)) && body.has("TopicArn")
                && body.path("Message").isTextual();
    }

    private static Outcome await(Future<Outcome> future, String id, Deadline deadline) {
        try {
            return future.get(Math.max(1, deadline.remaining().toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            // Not interrupted: a write of its outcome may be under way. Sent back; its record decides a redelivery.
            return Outcome.failed(id, new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "not finished in time"));
        } catch (ExecutionException e) {
            return Outcome.failed(id, new ImageFnException(ErrorCode.INTERNAL, String.valueOf(e.getCause())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Outcome.failed(id, new ImageFnException(ErrorCode.INTERNAL, "interrupted"));
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
