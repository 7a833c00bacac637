package dev.imagefn.core;

/**
 * What a failure means to whoever delivered the job, the one table every trigger follows (docs/design.md,
 * "Failures and dispositions"): whether a paid Gemini call may already have happened, and so whether the
 * delivery may come again.
 */
public enum Disposition {
    /** The image is stored. */
    DONE,
    /** Refused before anything was paid; the same delivery would be refused again. */
    PERMANENT,
    /** Gemini was paid and the job still failed: a redelivery would pay again, so it is answered, never retried. */
    PAID_FAILED,
    /** Nothing was paid and another attempt may succeed: the trigger redelivers. */
    TRANSIENT;

    /** The problem document's {@code retryable}. */
    public boolean redeliver() {
        return this == TRANSIENT;
    }
}
