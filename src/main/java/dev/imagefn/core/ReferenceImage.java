package dev.imagefn.core;

/** A reference image of the event: an object in an allowed bucket, or inline bytes. */
public sealed interface ReferenceImage {

    /** An object {@code s3://bucket/key}: a valid bucket name, and a key that is a plain relative path. */
    record Stored(String bucket, String key) implements ReferenceImage {
        public Stored {
            String why = ObjectText.bucketProblem(bucket) != null ? "the bucket " + ObjectText.bucketProblem(bucket)
                    : ObjectText.pathProblem(key) != null ? "the key " + ObjectText.pathProblem(key) : null;
            if (why != null) {
                throw ImageFnException.invalid("must be an s3://bucket/key URI: " + why);
            }
        }

        /** Parses {@code s3://bucket/key}; INVALID_REQUEST (naming the problem, not the text) otherwise. */
        public static Stored parse(String uri) {
            if (!uri.startsWith("s3://")) {
                throw ImageFnException.invalid("must be an s3://bucket/key URI");
            }
            String rest = uri.substring(5);
            int slash = rest.indexOf('/');
            if (slash < 0) {
                throw ImageFnException.invalid("must be an s3://bucket/key URI: there is no key");
            }
            return new Stored(rest.substring(0, slash), rest.substring(slash + 1));
        }

        public String uri() {
            return "s3://" + bucket + "/" + key;
        }
    }

    record Inline(String mimeType, byte[] data) implements ReferenceImage, ReferencePart {
    }
}
