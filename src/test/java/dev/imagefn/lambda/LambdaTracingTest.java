package dev.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.TracingProfile;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** On Lambda the job joins the X-Ray trace: an SQS message's AWSTraceHeader, an API Gateway X-Amzn-Trace-Id. */
@QuarkusTest
@TestProfile(TracingProfile.class)
class LambdaTracingTest extends HttpTestBase {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ROOT = "1-5759e988-bd862e3fe1be46a994272793";

    @Inject
    LambdaHandler handler;
    @Inject
    InMemorySpanExporter spans;

    @Test
    void anSqsMessageJoinsItsAwsTraceHeader() throws Exception {
        String record = "{\"messageId\":\"traced-msg\",\"receiptHandle\":\"r\",\"body\":"
                + JSON.writeValueAsString("{\"prompt\":\"queued\"}") + ",\"attributes\":{\"AWSTraceHeader\":\"Root="
                + ROOT + ";Parent=53995c3f42cd8ad8;Sampled=1\"},\"messageAttributes\":{},\"eventSource\":\"aws:sqs\","
                + "\"eventSourceARN\":\"arn:aws:sqs:eu-west-1:123456789012:q\",\"awsRegion\":\"eu-west-1\"}";
        invoke("{\"Records\":[" + record + "]}");
        SpanData job = await("imagefn job sqs");
        assertEquals(ROOT.substring(2).replace("-", ""), job.getTraceId());
        assertEquals("53995c3f42cd8ad8", job.getParentSpanId());
    }

    @Test
    void anApiGatewayRequestJoinsItsTraceparent() throws Exception {
        String trace = "11112222333344445555666677778888";
        invoke("{\"version\":\"2.0\",\"routeKey\":\"POST /v1/images\",\"rawPath\":\"/v1/images\",\"headers\":"
                + "{\"content-type\":\"application/json\",\"traceparent\":\"00-" + trace + "-1234567890abcdef-01\"},"
                + "\"requestContext\":{\"http\":{\"method\":\"POST\",\"path\":\"/v1/images\"},\"stage\":\"$default\"},"
                + "\"body\":" + JSON.writeValueAsString("{\"prompt\":\"gateway\"}") + ",\"isBase64Encoded\":false}");
        SpanData job = await("imagefn job http");
        assertEquals(trace, job.getTraceId());
        assertEquals("1234567890abcdef", job.getParentSpanId());
    }

    private void invoke(String event) throws Exception {
        spans.reset();
        handler.handleRequest(new ByteArrayInputStream(event.getBytes(StandardCharsets.UTF_8)),
                new ByteArrayOutputStream(), FakeContext.withRemaining(300_000));
    }

    private SpanData await(String name) throws InterruptedException {
        long end = System.nanoTime() + 10_000_000_000L;
        while (System.nanoTime() < end) {
            List<SpanData> found = spans.getFinishedSpanItems().stream().filter(s -> s.getName().equals(name)).toList();
            if (!found.isEmpty()) {
                return found.get(0);
            }
            Thread.sleep(20);
        }
        throw new AssertionError("no span " + name + " among " + spans.getFinishedSpanItems());
    }
}
