package dev.imagefn.delivery;

import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.batch.BatchFailures;
import dev.imagefn.core.batch.PendingEntry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.Map;

/** A batch entry that will not be generated gets the failure record its delivery would have got. */
@ApplicationScoped
public class BatchFailureRecords implements BatchFailures {
    private final FailureRecords failures;

    @Inject
    BatchFailureRecords(FailureRecords failures) {
        this.failures = failures;
    }

    @Override
    public String record(PendingEntry entry, ImageFnException problem) {
        ImageFnException p = !entry.kind().equals("object") ? problem : new ImageFnException(problem.code(),
                StorageObjects.withoutQuotes(problem.detail()), Map.of(), null, null).as(problem.disposition());
        return failures.write(new Delivery(entry.kind(), entry.deliveryId(), entry.identity(), entry.recordOf(),
                entry.requestId(), null), p);
    }
}
