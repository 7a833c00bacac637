package dev.imagefn.core;

import java.util.Set;

/** The S3 user-metadata names the function writes itself. Callers' metadata may not use any of them. */
public final class StoredMetadata {
    public static final String MODEL = "model";
    public static final String MODEL_VERSION = "model-version";
    public static final String PROMPT_SHA256 = "prompt-sha256";
    public static final String REQUEST_ID = "request-id";
    public static final String SHA256 = "sha256";
    public static final String WIDTH = "width";
    public static final String HEIGHT = "height";
    /** On the main image: how many images the job stored (a reuse HEADs each). */
    public static final String IMAGES = "images";
    public static final String IDEMPOTENCY_KEY_SHA256 = "idempotency-key-sha256";
    /** With an idempotency key: the request's fingerprint ({@link RequestHash}), so a run again knows its images. */
    public static final String REQUEST_SHA256 = "request-sha256";
    /** Upload pipeline: the object the image was made from. */
    public static final String SOURCE_KEY = "source-key";
    public static final String SOURCE_BUCKET = "source-bucket";

    public static final Set<String> RESERVED = Set.of(MODEL, MODEL_VERSION, PROMPT_SHA256, REQUEST_ID, SHA256, WIDTH,
            HEIGHT, IMAGES, IDEMPOTENCY_KEY_SHA256, REQUEST_SHA256, SOURCE_KEY, SOURCE_BUCKET);

    private StoredMetadata() {
    }
}
