package dev.imagefn.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/** {@code imagefn_images_total{outcome,code,model}} and {@code imagefn_job_seconds}, for every trigger. */
@ApplicationScoped
public class PipelineMetrics {
    private final MeterRegistry registry;

    @Inject
    public PipelineMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    Timer.Sample start() {
        return Timer.start(registry);
    }

    void succeeded(Timer.Sample sample, ImageResult result) {
        String outcome = result.reused() ? "reused" : "generated";
        registry.counter("imagefn.images", "outcome", outcome, "code", "OK", "model", result.model()).increment();
        sample.stop(registry.timer("imagefn.job", "outcome", outcome));
    }

    void failed(Timer.Sample sample, ImageFnException e, String model) {
        registry.counter("imagefn.images", "outcome", "failed", "code", e.code().name(), "model", model).increment();
        sample.stop(registry.timer("imagefn.job", "outcome", "failed"));
    }
}
