package dev.imagefn.delivery;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.batch.BatchJobs;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one way a trigger runs a job: the delivery's identity goes with it to the pipeline (so a redelivery pays
 * once), and a failure comes back as an {@link Outcome} whose disposition decides the reply. A delivery that keeps
 * failure records gets one for every failure that will not be delivered again; when the record cannot be written
 * the failure becomes transient, so the delivery comes again rather than being lost.
 */
@ApplicationScoped
public class Deliveries {
    private static final Logger LOG = Logger.getLogger(Deliveries.class);

    /** The deliveries of upload pipelines, which batch mode records instead of running. */
    private static final Set<String> PIPELINE = Set.of("sqs", "object");

    private final ImagePipeline pipeline;
    private final FailureRecords failures;
    private final JobTelemetry telemetry;
    private final BatchJobs batches;

    @Inject
    public Deliveries(ImagePipeline pipeline, FailureRecords failures, JobTelemetry telemetry, BatchJobs batches) {
        this.pipeline = pipeline;
        this.failures = failures;
        this.telemetry = telemetry;
        this.batches = batches;
    }

    /** {@code request} is read inside, so a body that does not parse is this delivery's outcome like any other. */
    public Outcome run(Delivery delivery, Supplier<ImageRequest> request) {
        return telemetry.job(delivery, () -> runJob(delivery, request));
    }

    private Outcome runJob(Delivery delivery, Supplier<ImageRequest> request) {
        if (batches.enabled() && PIPELINE.contains(delivery.kind()) && delivery.identity() != null) {
            return record(delivery, request);
        }
        try {
            return Outcome.done(delivery.id(), pipeline.run(request.get(), delivery.identity(), delivery.requestId(),
                    delivery.deadline()));
        } catch (ImageFnException e) {
            return settle(delivery, Outcome.failed(delivery.id(), e));
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s delivery %s failed unexpectedly", delivery.kind(), FailureRecords.printable(delivery.id()));
            return settle(delivery, Outcome.failed(delivery.id(), new ImageFnException(ErrorCode.INTERNAL,
                    "internal error; see the logs for request " + delivery.requestId())));
        }
    }

    /**
     * Batch mode: the job is validated and recorded as a pending entry, and only then acknowledged (a skip that is
     * not delivered again); one that cannot be recorded fails transiently, so it comes again.
     */
    private Outcome record(Delivery delivery, Supplier<ImageRequest> request) {
        try {
            BatchJobs.Recorded r = batches.record(delivery.kind(), delivery.id(), delivery.identity(),
                    delivery.recordOf(), delivery.requestId(), request.get());
            return Outcome.skipped(delivery.id(), switch (r) {
                case PENDING -> "recorded for the next Gemini batch";
                case ALREADY_PENDING -> "already recorded for a Gemini batch";
                case ALREADY_DONE -> "already done in a Gemini batch";
            });
        } catch (ImageFnException e) {
            return settle(delivery, Outcome.failed(delivery.id(), e));
        } catch (RuntimeException e) {
            LOG.errorf(e, "%s delivery %s could not be recorded", delivery.kind(), FailureRecords.printable(delivery.id()));
            return Outcome.failed(delivery.id(), new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE,
                    "the job could not be recorded for a batch"));
        }
    }

    /** The end of an invocation: batch mode submits what it recorded (README, Batch mode). */
    public void endOfInvocation(Deadline deadline) {
        if (batches.enabled()) {
            batches.flush(deadline);
        }
    }

    /** A failure decided before the pipeline (a refused event, an unverifiable object), settled the same way. */
    public Outcome fail(Delivery delivery, ImageFnException e) {
        return telemetry.job(delivery, () -> settle(delivery, Outcome.failed(delivery.id(), e)));
    }

    private Outcome settle(Delivery delivery, Outcome failed) {
        if (delivery.kind().equals("object") && failed.error() != null) {
            // A stored job's own text (a value the validator quotes) never reaches a reply, a log or a record.
            ImageFnException e = failed.error();
            failed = Outcome.failed(failed.id(), new ImageFnException(e.code(), StorageObjects.withoutQuotes(e.detail()),
                    Map.of(), e.retryAfter().orElse(null), null).as(e.disposition()));
        }
        if (failed.redeliver() || delivery.recordOf() == null) {
            return failed;
        }
        try {
            return failed.recordedAt(failures.write(delivery, failed.error()));
        } catch (ImageFnException storage) {
            LOG.warnf("%s delivery %s: the failure record could not be written; delivering again", delivery.kind(),
                    FailureRecords.printable(delivery.id()));
            return Outcome.failed(delivery.id(), storage);
        } catch (RuntimeException unexpected) {
            return Outcome.failed(delivery.id(), new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE,
                    "the failure record could not be written"));
        }
    }
}
