package dev.imagefn.delivery;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.batch.BatchJobs;
import dev.imagefn.json.PollJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * The poll trigger of batch mode, whatever carried it (a scheduled event, a Cloud Scheduler CloudEvent,
 * {@code POST /v1/batches:poll}): finished batches are stored, and the answer is
 * {@code {"batches":[…],"stored":[…],"failed":[…]}}.
 */
@ApplicationScoped
public class BatchPolls {
    /** The CloudEvent type that asks for a poll (README, Batch mode). */
    public static final String POLL_TYPE = "dev.imagefn.batches.poll";

    private final BatchJobs batches;

    @Inject
    BatchPolls(BatchJobs batches) {
        this.batches = batches;
    }

    public byte[] poll(String requestId, Deadline deadline) {
        return PollJson.write(batches.poll(deadline), requestId);
    }
}
