package dev.imagefn.core;

/** One deliverable image. Format, width and height are read from the bytes, not taken on trust. */
public record GeneratedImage(ImageFormat format, ImageBytes bytes, int width, int height) {

    public String mimeType() {
        return format.mimeType();
    }
}
