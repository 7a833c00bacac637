package dev.imagefn.core.batch;

import dev.imagefn.core.ImageFnException;

/** Where an entry that will not be generated goes: a failure record, as a synchronous job's delivery gets one. */
public interface BatchFailures {

    /** Writes the record and returns its key. */
    String record(PendingEntry entry, ImageFnException problem);
}
