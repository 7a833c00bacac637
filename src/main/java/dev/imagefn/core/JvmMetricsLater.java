package dev.imagefn.core;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmHeapPressureMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.quarkus.micrometer.runtime.binder.JVMInfoBinder;
import io.quarkus.runtime.ImageMode;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The JVM and system meters Quarkus binds during its boot ({@code quarkus.micrometer.binder.jvm}, {@code .system}),
 * bound here {@link #DELAY_MS} after start instead: the same binders, off the cold start's path (about 30 ms of
 * the first image with the AOT cache; docs/BENCHMARKS.md, eighth round). Collections before then are not counted
 * by {@code jvm.gc.*}.
 */
@ApplicationScoped
public class JvmMetricsLater {
    static final long DELAY_MS = 2_000;
    private static final Logger LOG = Logger.getLogger(JvmMetricsLater.class);
    private final List<AutoCloseable> closeable = new CopyOnWriteArrayList<>();
    private volatile boolean stopped;

    void onStart(@Observes StartupEvent event) {
        Thread t = new Thread(this::bindLater, "imagefn-jvm-metrics");
        t.setDaemon(true);
        t.start();
    }

    private void bindLater() {
        try {
            Thread.sleep(DELAY_MS);
        } catch (InterruptedException e) {
            return;
        }
        synchronized (this) {
            if (stopped) {
                return;
            }
            bind(ClassLoaderMetrics::new);
            bind(JvmHeapPressureMetrics::new);
            bind(JvmMemoryMetrics::new);
            bind(JvmThreadMetrics::new);
            bind(JVMInfoBinder::new);
            if (ImageMode.current() == ImageMode.JVM) {
                bind(JvmGcMetrics::new);
            }
            bind(UptimeMetrics::new);
            bind(ProcessorMetrics::new);
            bind(FileDescriptorMetrics::new);
        }
    }

    /** One binder; one that fails (an MXBean a native executable lacks) leaves the others bound. */
    private void bind(Supplier<? extends MeterBinder> binder) {
        try {
            MeterBinder b = binder.get();
            b.bindTo(Metrics.globalRegistry);
            if (b instanceof AutoCloseable c) {
                closeable.add(c);
            }
        } catch (RuntimeException | LinkageError e) {
            LOG.warnf("JVM metrics: a binder failed: %s", e.toString());
        }
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        stopped = true;
        for (AutoCloseable c : closeable) {
            try {
                c.close();
            } catch (Exception e) {
                LOG.debugf("closing %s: %s", c, e.toString());
            }
        }
    }
}
