package dev.imagefn.gemini;

import dev.imagefn.core.Deadline;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Interrupts the calling thread when the deadline passes, so a blocked call or body read gives up
 * (the REST client's blocking reads are interruptible). Close it when the guarded work is over.
 */
final class DeadlineWatch implements AutoCloseable {
    private final Thread thread = Thread.currentThread();

    /** One per generator bean, made at run time: a pool in a static field would be created at native build time. */
    static ScheduledExecutorService timer() {
        java.util.concurrent.ScheduledThreadPoolExecutor timer = new java.util.concurrent.ScheduledThreadPoolExecutor(1,
                r -> {
                    Thread t = new Thread(r, "imagefn-deadline");
                    t.setDaemon(true);
                    return t;
                });
        timer.setRemoveOnCancelPolicy(true);
        timer.setKeepAliveTime(60, TimeUnit.SECONDS);
        timer.allowCoreThreadTimeOut(true);
        return timer;
    }

    private final ScheduledFuture<?> task;
    private volatile boolean fired;
    private volatile boolean closed;

    DeadlineWatch(Deadline deadline, ScheduledExecutorService timer) {
        this.task = timer.schedule(this::fire, deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
    }

    private synchronized void fire() {
        if (!closed) {
            fired = true;
            thread.interrupt();
        }
    }

    boolean fired() {
        return fired;
    }

    @Override
    public synchronized void close() {
        closed = true;
        task.cancel(false);
        if (fired) {
            Thread.interrupted();
        }
    }
}
