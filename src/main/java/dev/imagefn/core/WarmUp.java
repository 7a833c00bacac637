package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import org.jboss.logging.Logger;

/**
 * Cold start: the first image used to pay for creating the S3 and Gemini clients and loading their classes
 * (about two seconds of CPU on two cores). This starts that work on a background thread while the server is
 * still starting, and also reaches the bucket once, so a configuration mistake shows in the log at once.
 * A request that arrives first simply waits for the same lazily created beans.
 */
@ApplicationScoped
public class WarmUp {
    private static final Logger LOG = Logger.getLogger(WarmUp.class);

    private final Instance<ImageStore> store;
    private final Instance<ImageGenerator> generator;
    private final Instance<ImagePipeline> pipeline;
    private final boolean enabled;
    private final String probeKey;

    @Inject
    public WarmUp(Instance<ImageStore> store, Instance<ImageGenerator> generator, Instance<ImagePipeline> pipeline,
            ImagefnConfig config) {
        this.store = store;
        this.generator = generator;
        this.pipeline = pipeline;
        this.enabled = config.warmUp();
        this.probeKey = config.storage().prefix() + "imagefn-warm-up-probe";
    }

    void onStart(@Observes StartupEvent event) {
        if (!enabled) {
            return;
        }
        Thread t = new Thread(this::warm, "imagefn-warm-up");
        t.setDaemon(true);
        t.start();
    }

    private void warm() {
        long start = System.nanoTime();
        try {
            pipeline.get();
            generator.get().toString();
            ImageStore s = store.get();
            s.head(probeKey);
            Hashes.sha256Hex("warm-up");
            ObjectKeys.uuidV7(System.currentTimeMillis());
            LOG.debugf("warm-up done in %d ms", (System.nanoTime() - start) / 1_000_000);
        } catch (RuntimeException e) {
            LOG.warnf("warm-up: storage is not reachable yet (%s)", e.getMessage());
        }
    }
}
