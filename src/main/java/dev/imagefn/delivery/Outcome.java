package dev.imagefn.delivery;

import dev.imagefn.core.Disposition;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageResult;

/**
 * What became of one delivery: its image, a deliberate skip (not a job for this function), or a failure with the
 * disposition that decides the trigger's reply, and the failure record written for it, if any.
 */
public record Outcome(String id, ImageResult result, String skipped, ImageFnException error, String failureRecord) {

    public static Outcome done(String id, ImageResult result) {
        return new Outcome(id, result, null, null, null);
    }

    public static Outcome skipped(String id, String why) {
        return new Outcome(id, null, why, null, null);
    }

    public static Outcome failed(String id, ImageFnException error) {
        return new Outcome(id, null, null, error, null);
    }

    Outcome recordedAt(String key) {
        return new Outcome(id, null, null, error, key);
    }

    public Disposition disposition() {
        return error == null ? Disposition.DONE : error.disposition();
    }

    /** Only a transient failure is delivered again (SQS batch item failure, a failed S3 invocation, a 5xx). */
    public boolean redeliver() {
        return disposition().redeliver();
    }

    /** {@code generated}, {@code reused}, {@code skipped} or {@code failed}: the summary a trigger may report. */
    public String status() {
        if (result != null) {
            return result.reused() ? "reused" : "generated";
        }
        return skipped != null ? "skipped" : "failed";
    }
}
