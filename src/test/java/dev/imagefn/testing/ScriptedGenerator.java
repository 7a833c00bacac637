package dev.imagefn.testing;

import dev.imagefn.core.Deadline;
import dev.imagefn.core.GeneratedImage;
import dev.imagefn.core.Generation;
import dev.imagefn.core.GenerationRequest;
import dev.imagefn.core.ImageBytes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.ImageGenerator;
import dev.imagefn.core.Usage;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * An {@link ImageGenerator} that answers from a script: each call takes the next step (an image, or a failure to
 * throw); with nothing queued it answers one small PNG (another colour each call). Every call is counted: each one would have been paid.
 */
public final class ScriptedGenerator implements ImageGenerator {
    private final ConcurrentLinkedQueue<Supplier<Generation>> script = new ConcurrentLinkedQueue<>();
    private final List<GenerationRequest> calls = new CopyOnWriteArrayList<>();

    public ScriptedGenerator thenImage() {
        script.add(() -> png(calls.size()));
        return this;
    }

    /** An answer of {@code n} images. */
    public ScriptedGenerator thenImages(int n) {
        script.add(() -> {
            List<GeneratedImage> images = new java.util.ArrayList<>();
            for (int i = 0; i < n; i++) {
                images.add(png(calls.size() * 16 + i).images().getFirst());
            }
            return new Generation(images, null, "m-001", "resp", new Usage(1, 2, 3, 0));
        });
        return this;
    }

    public ScriptedGenerator thenFail(ImageFnException e) {
        script.add(() -> {
            throw e;
        });
        return this;
    }

    public ScriptedGenerator thenNoImage() {
        script.add(() -> new Generation(List.of(), "I cannot draw that.", "m", "r", Usage.NONE));
        return this;
    }

    public int calls() {
        return calls.size();
    }

    public GenerationRequest lastRequest() {
        return calls.getLast();
    }

    @Override
    public Generation generate(GenerationRequest request, Deadline deadline) {
        calls.add(request);
        Supplier<Generation> next = script.poll();
        return next == null ? png(calls.size()) : next.get();
    }

    /** A different colour each call, so two generations never have the same bytes. */
    private static Generation png(int n) {
        byte[] bytes = TestImages.png(8, 8, 0x3366aa + n * 0x010203, 0);
        return new Generation(List.of(new GeneratedImage(ImageFormat.PNG, ImageBytes.of(bytes), 8, 8)), null, "m-001",
                "resp", new Usage(1, 2, 3, 0));
    }
}
