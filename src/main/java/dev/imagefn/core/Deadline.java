package dev.imagefn.core;

import java.time.Duration;

/** The instant by which an invocation must answer, from the trigger (Lambda deadline, config). */
public record Deadline(long epochMillis) {

    public static Deadline after(Duration budget) {
        return new Deadline(System.currentTimeMillis() + budget.toMillis());
    }

    public Duration remaining() {
        return Duration.ofMillis(Math.max(0, epochMillis - System.currentTimeMillis()));
    }

    public boolean expired() {
        return System.currentTimeMillis() >= epochMillis;
    }

    /** The earlier of this deadline and {@code budget} from now. */
    public Deadline atMost(Duration budget) {
        return new Deadline(Math.min(epochMillis, System.currentTimeMillis() + budget.toMillis()));
    }
}
