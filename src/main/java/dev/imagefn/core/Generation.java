package dev.imagefn.core;

import java.util.List;

/** What the model returned: deliverable images in order (the last is the main one), text, usage. */
public record Generation(List<GeneratedImage> images, String text, String modelVersion, String responseId,
        Usage usage) {

    public Generation {
        images = List.copyOf(images);
    }
}
