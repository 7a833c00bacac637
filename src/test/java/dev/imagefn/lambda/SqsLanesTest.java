package dev.imagefn.lambda;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which SQS records run one after the other: a FIFO queue's message group, in the batch's order. */
class SqsLanesTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode record(String queue, String group, boolean sequence) {
        var r = JSON.createObjectNode().put("eventSourceARN", "arn:aws:sqs:eu-west-1:123456789012:" + queue);
        var attributes = r.putObject("attributes");
        if (group != null) {
            attributes.put("MessageGroupId", group);
        }
        if (sequence) {
            attributes.put("SequenceNumber", "18849496460467696128");
        }
        return r;
    }

    @Test
    void aFifoQueuesGroupsAreLanesInTheirOrder() {
        List<JsonNode> records = new ArrayList<>(List.of(record("q.fifo", "A", true), record("q.fifo", "B", true),
                record("q.fifo", "A", true), record("q.fifo", "A", true), record("q.fifo", "B", true)));
        assertEquals(List.of(List.of(0, 2, 3), List.of(1, 4)), SqsBatchHandler.lanes(records));
    }

    @Test
    void aStandardQueueRunsEveryRecordOnItsOwnEvenWithMessageGroups() {
        // Fair queues give standard queues message groups, for fairness, not order.
        List<JsonNode> records = List.of(record("q", "A", false), record("q", "A", false), record("q", null, false));
        assertEquals(List.of(List.of(0), List.of(1), List.of(2)), SqsBatchHandler.lanes(records));
    }

    @Test
    void aFifoRecordIsKnownByItsSequenceNumberWhenTheArnIsMissing() {
        List<JsonNode> records = List.of((JsonNode) JSON.createObjectNode().set("attributes",
                JSON.createObjectNode().put("MessageGroupId", "A").put("SequenceNumber", "1")),
                JSON.createObjectNode().set("attributes",
                        JSON.createObjectNode().put("MessageGroupId", "A").put("SequenceNumber", "2")));
        assertEquals(List.of(List.of(0, 1)), SqsBatchHandler.lanes(records));
    }
}
