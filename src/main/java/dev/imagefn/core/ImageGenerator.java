package dev.imagefn.core;

/** The paid call. Throws {@link ImageFnException} with an upstream code when it fails. */
public interface ImageGenerator {
    Generation generate(GenerationRequest request, Deadline deadline);
}
