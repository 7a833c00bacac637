package dev.imagefn.core;

import io.micrometer.core.instrument.Metrics;
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
            try {
                var registry = Metrics.globalRegistry;
                new ClassLoaderMetrics().bindTo(registry);
                JvmHeapPressureMetrics pressure = new JvmHeapPressureMetrics();
                pressure.bindTo(registry);
                closeable.add(pressure);
                new JvmMemoryMetrics().bindTo(registry);
                new JvmThreadMetrics().bindTo(registry);
                new JVMInfoBinder().bindTo(registry);
                if (ImageMode.current() == ImageMode.JVM) {
                    JvmGcMetrics gc = new JvmGcMetrics();
                    gc.bindTo(registry);
                    closeable.add(gc);
                }
                new UptimeMetrics().bindTo(registry);
                new ProcessorMetrics().bindTo(registry);
                new FileDescriptorMetrics().bindTo(registry);
            } catch (RuntimeException | LinkageError e) {
                LOG.warnf("JVM metrics not bound: %s", e.toString());
            }
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
