package dev.imagefn.core.batch;

import java.util.List;

/** Listing the small documents the batch jobs keep (pending entries, running batches) in the object store. */
public interface BatchDocuments {

    /** The keys under {@code prefix}, at most {@code max} of them. */
    List<String> listKeys(String prefix, int max);
}
