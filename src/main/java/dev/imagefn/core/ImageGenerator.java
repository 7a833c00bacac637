package dev.imagefn.core;

/** The paid call. Throws {@link ImageFnException} with an upstream code when it fails. */
public interface ImageGenerator {
    Generation generate(GenerationRequest request, Deadline deadline);

    /** False for an answer already paid for (a batch result): the job's references are not loaded again for it. */
    default boolean needsReferences() {
        return true;
    }
}
