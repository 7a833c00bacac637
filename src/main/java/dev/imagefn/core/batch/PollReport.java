package dev.imagefn.core.batch;

import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageResult;
import java.util.List;

/** What one poll saw and did: the batches and their states, the results it stored, the entries that failed. */
public record PollReport(List<BatchView> batches, List<ImageResult> stored, List<Failed> failed) {
    public PollReport {
        batches = List.copyOf(batches);
        stored = List.copyOf(stored);
        failed = List.copyOf(failed);
    }

    public record BatchView(String name, String state) {
    }

    /** An entry written as a failure record ({@code failureRecord} null when even that could not be written). */
    public record Failed(String entry, String requestId, ImageFnException problem, String failureRecord) {
    }
}
