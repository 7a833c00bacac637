package dev.imagefn.core.batch;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.Generation;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ImageFnException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;

/** Gemini's Batch API as the batch jobs need it: submit many requests of one model, ask how the batch is doing. */
public interface BatchGateway {

    /** One request of a batch, under the key its result comes back with. */
    record Request(String key, GenerationRequest request) {
    }

    /** The answer to one request: its generation, or why there is none. */
    record Result(String key, Generation generation, ImageFnException error) {
    }

    /**
     * A batch as Gemini reports it (its results come from {@link #results}). States are Gemini's
     * ({@code BATCH_STATE_PENDING}, {@code _RUNNING}, {@code _SUCCEEDED}, {@code _FAILED}, {@code _CANCELLED},
     * {@code _EXPIRED}).
     */
    record Status(String name, String state) {
        public static final String SUCCEEDED = "BATCH_STATE_SUCCEEDED";
        public static final String FAILED = "BATCH_STATE_FAILED";
        /** Gemini no longer knows the batch (deleted, or past its retention). */
        public static final String NOT_FOUND = "NOT_FOUND";
        private static final Set<String> LOST = Set.of(FAILED, "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED",
                NOT_FOUND);

        /** Gemini's batch guide compares states spelled {@code JOB_STATE_*}; the same states, one spelling here. */
        public Status {
            state = normalised(state);
        }

        public static String normalised(String state) {
            return state != null && state.startsWith("JOB_STATE_") ? "BATCH_STATE_" + state.substring(10) : state;
        }

        /** Over, with or without results. */
        public static boolean over(String state) {
            String s = normalised(state);
            return SUCCEEDED.equals(s) || LOST.contains(s);
        }

        public boolean succeeded() {
            return SUCCEEDED.equals(state);
        }

        /** Over without results: its requests must go again. */
        public boolean lost() {
            return LOST.contains(state);
        }
    }

    /** Submits the requests as one batch and returns its name ({@code batches/…}). */
    String submit(String model, String displayName, List<Request> requests, Deadline deadline);

    Status get(String name, Deadline deadline);

    /**
     * The batch Gemini created under {@code displayName}, if any (for a create whose answer was lost). Throws when
     * Gemini cannot be asked; a non-transient failure means it cannot tell.
     */
    Optional<String> find(String displayName, Deadline deadline);

    /**
     * Hands the answers of a batch that succeeded to {@code each}, one at a time as they are read, so a poll holds
     * one image at a time, not the whole batch.
     */
    void results(String name, Deadline deadline, Consumer<Result> each);

    /** Asks Gemini to stop the batch: requests it has not run yet are not run, nor paid. */
    void cancel(String name, Deadline deadline);
}
