package dev.imagefn.json;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.batch.PollReport;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A poll's {@code failed} entries: {@code retryable} says whether the job will be tried again. */
class PollJsonTest {

    @Test
    void aFailureWithItsRecordIsFinalAndOneWithoutIsTriedAgain() throws Exception {
        ImageFnException lostTwice = new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "the batch expired twice");
        PollReport report = new PollReport(List.of(), List.of(), List.of(
                new PollReport.Failed("e-1", "r-1", lostTwice, "generated/failures/e-1.json"),
                new PollReport.Failed("e-2", "r-2", lostTwice, null)));
        JsonNode failed = new ObjectMapper().readTree(PollJson.write(report, "poll-1")).get("failed");
        assertEquals("UPSTREAM_UNAVAILABLE", failed.get(0).get("code").asText());
        assertEquals(false, failed.get(0).get("retryable").asBoolean(), failed.get(0).toString());
        assertEquals(true, failed.get(1).get("retryable").asBoolean(), "left pending: a later poll tries it again");
    }
}
