package dev.imagefn.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Every setting of the function, under {@code imagefn.*}. Immutable, validated at startup. */
@ConfigMapping(prefix = "imagefn")
public interface ImagefnConfig {

    Gemini gemini();

    Storage storage();

    Limits limits();

    Auth auth();

    Events events();

    Pipeline pipeline();

    Lambda lambda();

    Idempotency idempotency();

    /** Create the clients and reach the bucket on a background thread at start-up (cold start). */
    @WithDefault("true")
    boolean warmUp();

    /** Model catalogue: {@code imagefn.models."<model-id>".*}. */
    Map<String, Model> models();

    /**
     * Price per image, standard tier: {@code imagefn.pricing."<model-id>"."<size>"=usd}. Read as text and parsed
     * by {@code ModelCatalogue}: SmallRye has no built-in BigDecimal converter, and the implicit one it falls
     * back to needs reflection that the native image does not register for a map nested in a map.
     */
    Map<String, Map<String, String>> pricing();

    interface Gemini {
        /** From {@code GEMINI_API_KEY}; required. Never logged, never echoed. */
        String apiKey();

        @WithDefault("https://generativelanguage.googleapis.com")
        URI baseUrl();

        @WithDefault("gemini-3.1-flash-image")
        String model();

        /** Read timeout for one attempt; 4K images take minutes. */
        @WithDefault("300s")
        Duration timeout();

        @WithDefault("10s")
        Duration connectTimeout();

        /** Whole-call budget (all attempts and backoff) when the trigger sets no deadline. */
        @WithDefault("600s")
        Duration deadline();

        /** Let model IDs that are not in the catalogue through, validated against the union of known options. */
        @WithDefault("true")
        boolean allowUnlistedModels();

        Retry retry();

        /**
         * Stored reference images of at least this many bytes go to Gemini as a presigned URL, smaller ones
         * inline; 0: always by URL, -1: never. Unset: 4 MiB, or never when the storage endpoint is not a public
         * HTTPS address (README, "Reference images by URL").
         */
        Optional<Long> referenceUrlThreshold();

        /**
         * Retired model ID to the model that replaced it, for IDs that are not in the catalogue (a catalogue model
         * names its own: {@code imagefn.models."<id>".successor}, which wins).
         */
        Map<String, String> successors();

        /** On a 404 for the model, retry once on its successor (a change of model and price: off by default). */
        @WithDefault("false")
        boolean fallbackToSuccessor();
    }

    interface Retry {
        /** Attempts in total, the first included. */
        @WithDefault("5")
        int maxAttempts();

        @WithDefault("1s")
        Duration initialDelay();

        @WithDefault("60s")
        Duration maxDelay();

        @WithDefault("2.0")
        double multiplier();

        /** 0..1: the delay is scaled by a random factor in [1-jitter, 1+jitter]. */
        @WithDefault("0.5")
        double jitter();
    }

    interface Storage {
        String bucket();

        /** Every object the function writes lies under this prefix. */
        @WithDefault("generated/")
        String prefix();

        Optional<URI> endpoint();

        @WithDefault("false")
        boolean pathStyle();

        @WithDefault("us-east-1")
        String region();

        /** {@code when-supported} (AWS S3) or {@code when-required} (R2, GCS interop, older MinIO). */
        @WithDefault("when-supported")
        String checksums();

        /** Buckets that {@code s3://} reference images may be read from. Empty: none. */
        Optional<List<String>> referenceBuckets();

        @WithDefault("15m")
        Duration presignTtl();

        /** Create the bucket at startup when it is missing (local stacks only). */
        @WithDefault("false")
        boolean createBucket();
    }

    interface Limits {
        int DEFAULT_MAX_PROMPT_CHARS = 32000;
        long DEFAULT_MAX_INLINE_REFERENCE_BYTES = 20L * 1024 * 1024;

        @WithDefault("" + DEFAULT_MAX_PROMPT_CHARS)
        int maxPromptChars();

        /**
         * Largest accepted request body, bytes. Unless set, {@link #defaultMaxBodyBytes} of the prompt and inline
         * limits ({@link BodyLimitConfigInterceptor}).
         */
        long maxBodyBytes();

        /** Largest single reference image, bytes (decoded). */
        @WithDefault("7340032")
        long maxReferenceBytes();

        /** All inline reference images of one event together, bytes (decoded). */
        @WithDefault("" + DEFAULT_MAX_INLINE_REFERENCE_BYTES)
        long maxInlineReferenceBytes();

        /** All user metadata, keys and values, bytes. */
        @WithDefault("1024")
        int maxMetadataBytes();

        /** Longest a request body may take to arrive, all of it. */
        @WithDefault("30s")
        Duration bodyReadTimeout();

        /** Largest image data accepted in one answer from Gemini, all its images together, bytes (decoded). */
        @WithDefault("67108864")
        long maxImageBytes();

        /** Most images one Gemini answer may deliver; an answer with more is refused as a bad response (paid). */
        @WithDefault("8")
        int maxImagesPerAnswer();

        /**
         * Largest answer the HTTP server may give, bytes (Cloud Run's is 32 MiB): an OpenAI {@code b64_json} answer
         * over it is given as urls. Unset: no limit (Lambda's 6 MB is applied by the Lambda carrier).
         */
        java.util.OptionalLong maxAnswerBytes();

        /**
         * The largest body a valid event needs: a prompt of {@code maxPromptChars} with every character escaped
         * ({@code \\uXXXX}, 6 bytes), the inline reference images as base64, and 64 KiB for everything else.
         * With the shipped limits: 6 × 32000 + 27962028 + 65536 = 28219564 bytes.
         */
        static long defaultMaxBodyBytes(int maxPromptChars, long maxInlineReferenceBytes) {
            return 6L * maxPromptChars + (maxInlineReferenceBytes + 2) / 3 * 4 + 64 * 1024;
        }
    }

    /** Upload pipelines: S3 objects that trigger a generation (README, AWS Lambda). Prefixes are bucket-relative. */
    interface Pipeline {
        /** Prompt applied to an uploaded image; the object's {@code prompt} metadata overrides it. */
        @WithDefault("Turn this photo into a clean product shot: soft, even studio light and a plain white background. Keep the subject exactly as it is.")
        String prompt();

        /** A {@code .json} object created under it is an event. */
        @WithDefault("jobs/")
        String jobsPrefix();

        /** An image created under it is edited with {@link #prompt()}. */
        @WithDefault("uploads/")
        String uploadsPrefix();

        /** Buckets whose storage events the pipeline acts on. Empty: the images bucket only. */
        Optional<List<String>> buckets();

        /** {@code sync}: each job is generated as it comes; {@code batch}: through Gemini's Batch API (README, Batch mode). */
        @WithDefault("sync")
        String mode();

        /** Batch mode: a batch whose inline requests would reach this size goes as a JSONL file instead. */
        @WithDefault("19000000")
        long batchInlineMaxBytes();

        /** Batch mode: a pending entry no batch names after this long is submitted by the next poll. */
        @WithDefault("20m")
        Duration batchOrphanAge();
    }

    interface Lambda {
        /** SQS records processed at once in one invocation. */
        @WithDefault("4")
        int sqsConcurrency();

        /** Kept free before the invocation deadline to answer and write failure records. */
        @WithDefault("3s")
        Duration deadlineMargin();

        /**
         * An SQS record is not started with less time than this left (it goes back to the queue), so a paid
         * call is not begun that the deadline would cut off.
         */
        @WithDefault("60s")
        Duration recordStartBudget();
    }

    /** Idempotency records in the object store (docs/design.md, "Idempotency"). */
    interface Idempotency {
        /**
         * Wait after claiming a record before reading it back: longer than the gap between a store's condition
         * check and its write. 0 for stores whose conditional writes are atomic (AWS S3).
         */
        @WithDefault("250ms")
        Duration claimFence();

        /** Longest wait for the same request running elsewhere before answering IDEMPOTENCY_IN_PROGRESS. */
        @WithDefault("120s")
        Duration maxWait();
    }

    interface Events {
        /** {@code source} of the CloudEvents the function emits. */
        @WithDefault("/imagefn")
        String source();
    }

    interface Auth {
        /** Optional inbound bearer token for the HTTP trigger. */
        Optional<String> token();
    }

    interface Model {
        Optional<List<String>> aliases();

        @WithName("aspect-ratios")
        List<String> aspectRatios();

        /** Empty: the model has a single size tier and takes no {@code imageSize}. */
        Optional<List<String>> sizes();

        @WithDefault("14")
        int maxReferenceImages();

        /** Empty: the model takes no thinking level. */
        Optional<List<String>> thinkingLevels();

        @WithDefault("false")
        boolean grounding();

        /** The model that replaces this one: named in MODEL_UNAVAILABLE, used by fallback-to-successor. */
        Optional<String> successor();

        /** Still served, but announced for retirement: a warning at start-up when it is the default. */
        @WithDefault("false")
        boolean deprecated();
    }
}
