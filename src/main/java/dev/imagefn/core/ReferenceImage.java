package dev.imagefn.core;

/** A reference image of the event: an object in an allowed bucket, or inline bytes. */
public sealed interface ReferenceImage {

    record Stored(String bucket, String key) implements ReferenceImage {
        public String uri() {
            return "s3://" + bucket + "/" + key;
        }
    }

    record Inline(String mimeType, byte[] data) implements ReferenceImage {
    }
}
