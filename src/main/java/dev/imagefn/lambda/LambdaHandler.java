package dev.imagefn.lambda;

import com.amazonaws.services.lambda.runtime.Context;
import com.amazonaws.services.lambda.runtime.RequestStreamHandler;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.delivery.BatchPolls;
import dev.imagefn.delivery.Deliveries;
import dev.imagefn.delivery.Delivery;
import dev.imagefn.delivery.EventBodies;
import dev.imagefn.delivery.JobTelemetry;
import dev.imagefn.delivery.Outcome;
import dev.imagefn.json.ResultJson;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.inject.Named;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.MDC;

/**
 * The one Lambda handler of the artifact: it recognises the event's shape and hands it to the adapter for
 * it (API Gateway v1/v2 and function URLs, SQS, S3 notifications, EventBridge Object Created, an EventBridge
 * Scheduled Event (the batch poll, README Batch mode), or a direct
 * invocation with the event JSON). In JVM mode AWS calls it through
 * {@code io.quarkus.amazon.lambda.runtime.QuarkusStreamHandler::handleRequest}; the native executable polls
 * the Runtime API and calls it the same way.
 */
@Named("imagefn")
@ApplicationScoped
public class LambdaHandler implements RequestStreamHandler {
    private static final JsonFactory JSON = new JsonFactory();
    /** The invocation's request id on every line logged while it runs (the job's own fields come on top). */
    static final String AWS_REQUEST_ID = "awsRequestId";

    private final ObjectMapper mapper;
    private final ApiGatewayAdapter apiGateway;
    private final SqsBatchHandler sqs;
    private final S3EventAdapter s3;
    private final EventBodies bodies;
    private final Deliveries deliveries;
    private final ImagefnConfig config;
    private final JobTelemetry telemetry;
    private final BatchPolls polls;

    @Inject
    public LambdaHandler(ObjectMapper mapper, ApiGatewayAdapter apiGateway, SqsBatchHandler sqs, S3EventAdapter s3,
            EventBodies bodies, Deliveries deliveries, BatchPolls polls, ImagefnConfig config, JobTelemetry telemetry) {
        this.telemetry = telemetry;
        this.polls = polls;
        this.mapper = mapper;
        this.apiGateway = apiGateway;
        this.sqs = sqs;
        this.s3 = s3;
        this.bodies = bodies;
        this.deliveries = deliveries;
        this.config = config;
    }

    @Override
    public void handleRequest(InputStream input, OutputStream output, Context context) throws IOException {
        byte[] event = input.readAllBytes();
        String requestId = context != null && context.getAwsRequestId() != null ? context.getAwsRequestId()
                : UUID.randomUUID().toString();
        Deadline deadline = deadline(context);
        JsonNode tree;
        try {
            tree = mapper.readTree(event);
        } catch (IOException e) {
            tree = null;
        }
        LambdaEventKind kind = tree == null ? LambdaEventKind.DIRECT : LambdaEventKind.of(tree);
        if (context != null && context.getAwsRequestId() != null) {
            MDC.put(AWS_REQUEST_ID, context.getAwsRequestId());
        }
        try (Scope ignored = telemetry.enter(invocationTrace()); JsonGenerator out = JSON.createGenerator(output)) {
            switch (kind) {
                case API_GATEWAY_V1 -> apiGateway.handle(tree, false, deadline, out);
                case API_GATEWAY_V2 -> apiGateway.handle(tree, true, deadline, out);
                case SQS -> batchResponse(sqs.handle(tree, requestId, deadline), out);
                case S3, EVENTBRIDGE_S3 -> {
                    List<Outcome> outcomes = s3.handle(tree, requestId, deadline);
                    deliveries.endOfInvocation(deadline);
                    uploadResponse(outcomes, requestId, out);
                }
                case SCHEDULED -> out.writeRawValue(new String(scheduledPoll(requestId, deadline),
                        java.nio.charset.StandardCharsets.UTF_8));
                case DIRECT -> direct(event, requestId, context != null && context.getAwsRequestId() != null,
                        deadline, out);
            }
        } finally {
            MDC.remove(AWS_REQUEST_ID);
        }
    }

    /** A poll that fails fails the invocation with its problem, as every other invocation does. */
    private byte[] scheduledPoll(String requestId, Deadline deadline) {
        try {
            return polls.poll(requestId, deadline);
        } catch (ImageFnException e) {
            throw new LambdaProblem(e, requestId);
        }
    }

    /**
     * The invocation's X-Ray trace header, which the Lambda runtime puts in a system property (Quarkus' poll loop,
     * AWS's runtime client) or the environment.
     */
    private static Map<String, String> invocationTrace() {
        String header = System.getProperty("com.amazonaws.xray.traceHeader", System.getenv("_X_AMZN_TRACE_ID"));
        return header == null || header.isBlank() ? Map.of() : Map.of(JobTelemetry.XRAY_HEADER, header);
    }

    /**
     * The caller gets the answer (a result, or a Lambda error carrying the problem); no failure record. Lambda
     * retries an asynchronous invocation that failed under the same request id: without an idempotency key of
     * its own, that id is the job's identity, so a retry is answered from the first attempt, not paid again.
     */
    private void direct(byte[] event, String requestId, boolean lambdaRequestId, Deadline deadline,
            JsonGenerator out) throws IOException {
        Outcome o;
        try {
            EventBodies.Job job = bodies.read(event, null, true);
            IdempotencyKey identity = job.identity() != null || !lambdaRequestId ? job.identity()
                    : IdempotencyKey.delivery("lambda", requestId);
            o = deliveries.run(new Delivery("direct", requestId, identity, null, requestId, deadline),
                    job::request);
        } catch (ImageFnException e) {
            throw new LambdaProblem(e, requestId);
        }
        if (o.result() == null) {
            throw new LambdaProblem(o.error(), requestId);
        }
        ResultJson.write(out, o.result());
    }

    /** {@code {"batchItemFailures":[{"itemIdentifier":…}]}}: only the records worth another delivery. */
    private static void batchResponse(List<Outcome> outcomes, JsonGenerator out) throws IOException {
        out.writeStartObject();
        out.writeArrayFieldStart("batchItemFailures");
        for (Outcome o : outcomes) {
            if (o.redeliver()) {
                out.writeStartObject();
                out.writeStringField("itemIdentifier", o.id());
                out.writeEndObject();
            }
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    /**
     * A summary of what became of each object. A retryable failure fails the invocation after the others
     * are done, so S3/EventBridge redeliver; what was already stored is then found, not paid again.
     */
    private static void uploadResponse(List<Outcome> outcomes, String requestId, JsonGenerator out)
            throws IOException {
        for (Outcome o : outcomes) {
            if (o.redeliver()) {
                throw new LambdaProblem(o.error(), requestId);
            }
        }
        out.writeStartObject();
        out.writeArrayFieldStart("objects");
        for (Outcome o : outcomes) {
            out.writeStartObject();
            out.writeStringField("source", o.id());
            out.writeStringField("status", o.status());
            if (o.result() != null) {
                out.writeStringField("key", o.result().key());
            }
            if (o.skipped() != null) {
                out.writeStringField("reason", o.skipped());
            }
            if (o.failureRecord() != null) {
                out.writeStringField("failureRecord", o.failureRecord());
            }
            if (o.error() != null) {
                out.writeStringField("code", o.error().code().name());
            }
            out.writeEndObject();
        }
        out.writeEndArray();
        out.writeEndObject();
    }

    /** The invocation's deadline less a margin to answer, and never beyond {@code imagefn.gemini.deadline}. */
    private Deadline deadline(Context context) {
        Deadline configured = Deadline.after(config.gemini().deadline());
        if (context == null || context.getRemainingTimeInMillis() <= 0) {
            return configured;
        }
        long usable = context.getRemainingTimeInMillis() - config.lambda().deadlineMargin().toMillis();
        return configured.atMost(Duration.ofMillis(Math.max(1000, usable)));
    }
}
