package dev.imagefn.core;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * {@code imagefn_images_total{outcome,code,model}}, {@code imagefn_job_seconds} and
 * {@code imagefn_model_rerouted_total{requested,served}}, for every trigger.
 */
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

    /** {@code imagefn_model_rerouted_total{requested,served}}: Gemini answered with another model. */
    void rerouted(String requested, String served) {
        String label = served.length() <= 100 && served.matches("[A-Za-z0-9./_\\-]+") ? served : "other";
        registry.counter("imagefn.model.rerouted", "requested", requested, "served", label).increment();
    }

    void failed(Timer.Sample sample, ImageFnException e, String model) {
        registry.counter("imagefn.images", "outcome", "failed", "code", e.code().name(), "model", model).increment();
        sample.stop(registry.timer("imagefn.job", "outcome", "failed"));
    }
}
