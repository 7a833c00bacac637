package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.idempotency.Idempotency;
import dev.imagefn.core.idempotency.IdempotencyKey;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The job, trigger-agnostic: validate → idempotency → generate → store → result.
 * A failure leaves no object behind; a success leaves exactly the bytes the model returned.
 */
@ApplicationScoped
public class ImagePipeline {
    private static final Logger LOG = Logger.getLogger(ImagePipeline.class);

    private final RequestValidator validator;
    private final ImageGenerator generator;
    private final ImageStore store;
    private final ObjectKeys keys;
    private final ImagefnConfig config;
    private final PipelineMetrics metrics;
    private final ModelCatalogue catalogue;
    private final Idempotency idempotency;
    private final ReferenceLoader references;

    @Inject
    public ImagePipeline(RequestValidator validator, ImageGenerator generator, ImageStore store, ObjectKeys keys,
            ImagefnConfig config, PipelineMetrics metrics, ModelCatalogue catalogue) {
        this(validator, generator, store, keys, config, metrics, catalogue, new Idempotency(store,
                config.storage().prefix() + ObjectKeys.IDEMPOTENCY, config.idempotency().claimFence(),
                config.idempotency().maxWait()));
    }

    ImagePipeline(RequestValidator validator, ImageGenerator generator, ImageStore store, ObjectKeys keys,
            ImagefnConfig config, PipelineMetrics metrics, ModelCatalogue catalogue, Idempotency idempotency) {
        this.metrics = metrics;
        this.catalogue = catalogue;
        this.validator = validator;
        this.generator = generator;
        this.store = store;
        this.keys = keys;
        this.config = config;
        this.idempotency = idempotency;
        this.references = new ReferenceLoader(store, config.limits(), ReferenceTransport.of(config));
    }

    /**
     * Runs one job. {@code delivery} is the identity of the delivery that carried it (a CloudEvent, a queue
     * message, an object), or {@code null}; a caller's own {@code idempotencyKey} wins over it.
     */
    public ImageResult run(ImageRequest request, IdempotencyKey delivery, String requestId, Deadline deadline) {
        return run(request, delivery, requestId, deadline, generator);
    }

    /**
     * Runs one job whose paid call is {@code paid} (a batch result already received, for one): the same validation,
     * idempotency, key scheme and metadata as any other job.
     */
    public ImageResult run(ImageRequest request, IdempotencyKey delivery, String requestId, Deadline deadline,
            ImageGenerator paid) {
        var sample = metrics.start();
        try {
            ImageResult result = runJob(request, delivery, requestId, deadline, paid);
            metrics.succeeded(sample, result);
            return result;
        } catch (ImageFnException e) {
            metrics.failed(sample, e, catalogue.labelFor(request.model()));
            throw e;
        }
    }

    /** What the paid call for {@code request} would send, validated and with its references loaded; nothing paid. */
    public GenerationRequest prepare(ImageRequest request, String requestId) {
        return generationRequestOf(validator.validate(request, requestId));
    }

    /** A job validated once: the identity under which it is paid once, and what its paid call would send. */
    public record Prepared(IdempotencyKey identity, GenerationRequest request, String requestHash) {
    }

    /** {@link #prepare(ImageRequest, String)} and the job's identity for {@code delivery}, from one validation. */
    public Prepared prepare(ImageRequest request, IdempotencyKey delivery, String requestId) {
        ImageJob job = validator.validate(request, requestId);
        String hash = RequestHash.of(job);
        return new Prepared(identityOf(job, delivery, hash), generationRequestOf(job), hash);
    }

    /**
     * Whether the job's idempotency record already holds its image (a run elsewhere answered it, e.g. the same
     * {@code idempotencyKey} sent synchronously before). Throws what that run's record says otherwise: its paid
     * failure, IDEMPOTENCY_IN_PROGRESS while it runs (transient: come back), IDEMPOTENCY_CONFLICT for another
     * request under the key.
     */
    public boolean answeredBefore(Prepared prepared) {
        Idempotency.Earlier earlier = idempotency.earlier(prepared.identity(), prepared.requestHash());
        return switch (earlier.kind()) {
            case COMPLETED -> true;
            case FAILED -> throw JobRecords.decodeFailure(earlier.outcome());
            case RUNNING -> throw inProgress();
            case OTHER_REQUEST -> throw conflict();
            case NONE -> false;
        };
    }

    private GenerationRequest generationRequestOf(ImageJob job) {
        // A batch runs hours later, after a presigned URL may have expired: its references go inline.
        return generationRequest(job, references.loadInline(job.references()));
    }

    private static IdempotencyKey identityOf(ImageJob job, IdempotencyKey delivery, String hash) {
        // A delivery's identity with other content (an object whose prompt metadata changed, same ETag) is another
        // job, not a conflict: only a caller's own key can conflict.
        return job.idempotent() ? IdempotencyKey.caller(job.idempotencyKey())
                : new IdempotencyKey(delivery.namespace(), delivery.key() + "\n" + hash);
    }

    private static ImageFnException inProgress() {
        return new ImageFnException(ErrorCode.IDEMPOTENCY_IN_PROGRESS, "the same request is being generated;"
                + " ask again shortly", Map.of(), java.time.Duration.ofSeconds(5), null);
    }

    private static ImageFnException conflict() {
        return new ImageFnException(ErrorCode.IDEMPOTENCY_CONFLICT, "this idempotency key was used for a "
                + "different request (prompt, model, options or key); use a new key for a new request");
    }

    private ImageResult runJob(ImageRequest request, IdempotencyKey delivery, String requestId, Deadline deadline,
            ImageGenerator generator) {
        ImageJob job = validator.validate(request, requestId);
        if (!job.idempotent() && delivery == null) {
            return produce(job, deadline, generator, null);
        }
        String hash = RequestHash.of(job);
        IdempotencyKey key = identityOf(job, delivery, hash);
        return idempotency.execute(key, hash, deadline.epochMillis(), new Idempotency.Handler<>() {
            @Override
            public ImageResult run() {
                return produce(job, deadline, generator, hash);
            }

            @Override
            public String encodeResult(ImageResult result) {
                return JobRecords.encode(result);
            }

            @Override
            public Optional<ImageResult> reuse(String encoded) {
                JobRecords.Stored stored = JobRecords.decodeStored(encoded);
                return stored == null ? Optional.empty() : ImagePipeline.this.reuse(job, stored);
            }

            @Override
            public Optional<String> encodePaidFailure(RuntimeException failure) {
                return failure instanceof ImageFnException e && e.disposition() == Disposition.PAID_FAILED
                        ? Optional.of(JobRecords.encode(e)) : Optional.empty();
            }

            @Override
            public RuntimeException replay(String encoded) {
                return JobRecords.decodeFailure(encoded);
            }

            @Override
            public RuntimeException conflict() {
                return ImagePipeline.conflict();
            }

            @Override
            public RuntimeException inProgress() {
                return ImagePipeline.inProgress();
            }
        });
    }

    /**
     * Generates and stores; every object is new (an explicit key never overwrites). {@code recordHash}: the job's
     * {@link RequestHash} when it runs under an idempotency record, else null. Such a job may have run before (a
     * redelivery that took an expired claim over, a record expired since): images at its explicit key that an
     * earlier run of it stored are its answer, not a taken key.
     */
    private ImageResult produce(ImageJob job, Deadline deadline, ImageGenerator generator, String recordHash) {
        if (job.explicitKey() != null) {
            Optional<ImageStore.StoredObject> existing = store.head(job.explicitKey());
            if (existing.isPresent()) {
                Optional<ImageResult> earlier = recordHash != null ? earlierRun(job, recordHash, existing.get())
                        : Optional.empty();
                if (earlier.isPresent()) {
                    return earlier.get();
                }
                throw new ImageFnException(ErrorCode.KEY_EXISTS, "an object with key '" + job.explicitKey()
                        + "' exists; an explicit key never overwrites, choose another");
            }
        }
        String stem = job.explicitKey() != null ? job.explicitKey() : keys.stem();
        List<ReferencePart> refs = generator.needsReferences() ? references.load(job.references(), deadline)
                : List.of();
        ImageJob asked = job;
        Generation generation;
        try {
            generation = generator.generate(generationRequest(job, refs), deadline);
        } catch (ImageFnException e) {
            // A 404 is not paid: one more call, on the successor, pays once.
            job = successorJob(job, e).orElseThrow(() -> e);
            generation = generator.generate(generationRequest(job, refs), deadline);
        }
        if (generation.images().isEmpty()) {
            throw new ImageFnException(ErrorCode.NO_IMAGE, "the model returned no image");
        }
        boolean rerouted = ModelVersions.rerouted(job.model().id(), generation.modelVersion());
        if (rerouted) {
            LOG.warnf("request %s: model %s was asked for and Gemini answered with %s", job.requestId(),
                    job.model().id(), generation.modelVersion().replaceAll("[^\\x20-\\x7e]", "?"));
            metrics.rerouted(job.model().id(), generation.modelVersion());
        }
        Map<String, String> common = commonMetadata(job, generation.modelVersion(), recordHash);
        List<ImageResult.StoredImage> stored = new ArrayList<>();
        List<String> written = new ArrayList<>();
        int count = generation.images().size();
        String attempted = null;
        Deadline writesBy = new Deadline(Idempotency.writesBy(deadline.epochMillis()));
        String url;
        try {
            for (int i = 0; i < count; i++) {
                GeneratedImage image = generation.images().get(i);
                String key = ObjectKeys.keyFor(stem, job.explicitKey(), i, count, image.format());
                String sha256 = image.bytes().sha256Hex();
                Map<String, String> metadata = new LinkedHashMap<>(common);
                metadata.put(StoredMetadata.SHA256, sha256);
                metadata.put(StoredMetadata.WIDTH, Integer.toString(image.width()));
                metadata.put(StoredMetadata.HEIGHT, Integer.toString(image.height()));
                if (i == count - 1) {
                    metadata.put(StoredMetadata.IMAGES, Integer.toString(count));
                }
                attempted = key;
                store.put(key, image, metadata, job.explicitKey() != null, writesBy);
                written.add(key);
                attempted = null;
                stored.add(new ImageResult.StoredImage(key, image.mimeType(), image.bytes().length(), sha256,
                        image.width(), image.height()));
            }
            url = presignIfAsked(job, stored.get(count - 1).key()); // a failure here is one of storing, after paying
        } catch (ImageStore.AlreadyExists raced) {
            deleteQuietly(written);
            throw new ImageFnException(ErrorCode.KEY_EXISTS, "an object with key '" + raced.existing().key()
                    + "' was written by someone else meanwhile; nothing of this request was kept").paid();
        } catch (RuntimeException e) {
            deleteQuietly(written);
            if (attempted != null) {
                deleteIfOurs(attempted, job, generation.images().get(written.size()).bytes().sha256Hex());
            }
            // Gemini was paid: a redelivery would pay again, so this failure is final (and recorded as such).
            throw e instanceof ImageFnException f ? f.paid()
                    : new ImageFnException(ErrorCode.INTERNAL, "storing the image failed: " + e, e).paid();
        }
        ImageResult.StoredImage main = stored.get(count - 1);
        return new ImageResult(store.bucket(), main.key(), url, main.mimeType(), main.bytes(), main.sha256(),
                main.width(), main.height(), stored, job.includeText() ? generation.text() : null, job.model().id(),
                generation.modelVersion(), generation.usage(), cost(job, count), false, job.requestId(),
                job == asked ? null : asked.model().id(), rerouted, job != asked);
    }

    /**
     * The job on its model's configured successor, when the model is gone, fallback-to-successor is on and the
     * successor takes the job's options (README, Model lifecycle).
     */
    private Optional<ImageJob> successorJob(ImageJob job, ImageFnException failure) {
        if (failure.code() != ErrorCode.MODEL_UNAVAILABLE || !config.gemini().fallbackToSuccessor()) {
            return Optional.empty();
        }
        Optional<String> successor = catalogue.configuredSuccessor(job.model().id())
                .filter(s -> !s.equals(job.model().id()));
        if (successor.isEmpty()) {
            return Optional.empty();
        }
        try {
            ImageJob next = validator.onModel(job, catalogue.resolve(successor.get()));
            LOG.warnf("request %s: model %s is unavailable; falling back to its successor %s", job.requestId(),
                    job.model().id(), next.model().id());
            return Optional.of(next);
        } catch (ImageFnException refused) {
            LOG.warnf("request %s: model %s is unavailable and its successor %s cannot take the request: %s",
                    job.requestId(), job.model().id(), successor.get(), refused.detail());
            return Optional.empty();
        }
    }

    private static GenerationRequest generationRequest(ImageJob job, List<ReferencePart> refs) {
        return new GenerationRequest(job.model().id(), job.prompt(), job.aspectRatio(), job.imageSize(), refs,
                job.includeText(), job.thinkingLevel(), job.grounding(), job.seed());
    }

    static final int MAX_MODEL_VERSION = 128;

    private Map<String, String> commonMetadata(ImageJob job, String modelVersion, String requestHash) {
        Map<String, String> m = new LinkedHashMap<>(job.metadata());
        m.put(StoredMetadata.MODEL, job.model().id());
        if (modelVersion != null && modelVersion.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            // Gemini's own string, of no set length: S3's 2 KB of user metadata must hold it.
            m.put(StoredMetadata.MODEL_VERSION, modelVersion.substring(0, Math.min(modelVersion.length(),
                    MAX_MODEL_VERSION)));
        }
        m.put(StoredMetadata.PROMPT_SHA256, job.promptSha256());
        m.put(StoredMetadata.REQUEST_ID, job.requestId());
        if (job.idempotent()) {
            m.put(StoredMetadata.IDEMPOTENCY_KEY_SHA256, Hashes.sha256Hex(job.idempotencyKey()));
            m.put(StoredMetadata.REQUEST_SHA256, requestHash);
        }
        return m;
    }

    /**
     * The answer to an earlier, identical request with the same key: what its record says was stored, provided
     * the main image is still there. Nothing is generated or paid.
     */
    private Optional<ImageResult> reuse(ImageJob job, JobRecords.Stored record) {
        ImageResult.StoredImage main = record.images().getLast();
        boolean fellBack = record.model() != null && !record.model().equals(job.model().id());
        // The key may have been freed and taken by someone else since: only the same bytes are this record's.
        if (!store.head(main.key()).map(o -> main.sha256().equals(o.metadata().get(StoredMetadata.SHA256)))
                .orElse(false)) {
            return Optional.empty();
        }
        return Optional.of(new ImageResult(record.bucket(), main.key(), presignIfAsked(job, main.key()),
                main.mimeType(), main.bytes(), main.sha256(), main.width(), main.height(), record.images(),
                job.includeText() ? record.text() : null, record.model(), record.modelVersion(), Usage.NONE,
                new ImageResult.Cost(BigDecimal.ZERO, "reused: no generation"), true, job.requestId(),
                fellBack ? job.model().id() : null, ModelVersions.rerouted(record.model(), record.modelVersion()),
                fellBack));
    }

    /**
     * The images an earlier run of this job stored at its explicit key, when its idempotency record could not be
     * completed (S3 failing after the images were written): the same caller's idempotency key and the same request
     * (its whole fingerprint, not only the prompt), written by one run, on every image the main one counts. Nothing
     * is paid again; the answer's text part, which is not stored, is not in it.
     */
    private Optional<ImageResult> earlierRun(ImageJob job, String requestHash, ImageStore.StoredObject main) {
        int count;
        try {
            count = Integer.parseInt(main.metadata().getOrDefault(StoredMetadata.IMAGES, ""));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (count < 1 || count > config.limits().maxImagesPerAnswer()) {
            return Optional.empty();
        }
        List<ImageResult.StoredImage> images = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String key = ObjectKeys.keyFor(null, job.explicitKey(), i, count, null);
            Optional<ImageStore.StoredObject> o = i == count - 1 ? Optional.of(main) : store.head(key);
            if (o.isEmpty() || !ranBefore(job, requestHash, o.get().metadata(), main.metadata())) {
                return Optional.empty();
            }
            Map<String, String> m = o.get().metadata();
            try {
                images.add(new ImageResult.StoredImage(key, o.get().mimeType(), o.get().bytes(),
                        m.get(StoredMetadata.SHA256), Integer.parseInt(m.getOrDefault(StoredMetadata.WIDTH, "0")),
                        Integer.parseInt(m.getOrDefault(StoredMetadata.HEIGHT, "0"))));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        LOG.infof("request %s: the images at %s were stored by an earlier run of this job; not paying again",
                job.requestId(), job.explicitKey());
        Map<String, String> m = main.metadata();
        return reuse(job, new JobRecords.Stored(store.bucket(), images, m.get(StoredMetadata.MODEL),
                m.get(StoredMetadata.MODEL_VERSION), null));
    }

    private static boolean ranBefore(ImageJob job, String requestHash, Map<String, String> m,
            Map<String, String> main) {
        return job.idempotent()
                && Hashes.sha256Hex(job.idempotencyKey()).equals(m.get(StoredMetadata.IDEMPOTENCY_KEY_SHA256))
                && requestHash.equals(m.get(StoredMetadata.REQUEST_SHA256))
                && m.get(StoredMetadata.SHA256) != null
                && java.util.Objects.equals(m.get(StoredMetadata.REQUEST_ID), main.get(StoredMetadata.REQUEST_ID));
    }

    private String presignIfAsked(ImageJob job, String key) {
        return job.presign() ? store.presign(key, config.storage().presignTtl()).toString() : null;
    }

    private static ImageResult.Cost cost(ImageJob job, int images) {
        String tier = job.tier();
        String basis = job.model().id() + " " + tier + " standard";
        Optional<BigDecimal> price = job.model().pricePerImage(tier);
        if (price.isEmpty()) {
            return new ImageResult.Cost(null, "no price configured for " + job.model().id() + " " + tier);
        }
        return new ImageResult.Cost(price.get().multiply(BigDecimal.valueOf(images)),
                images == 1 ? basis : basis + " x" + images);
    }

    /** A PUT that failed may still have stored the object: remove it if it is this request's (same bytes). */
    private void deleteIfOurs(String key, ImageJob job, String sha256) {
        try {
            store.head(key).filter(o -> job.requestId().equals(o.metadata().get(StoredMetadata.REQUEST_ID))
                    && sha256.equals(o.metadata().get(StoredMetadata.SHA256)))
                    .ifPresent(o -> store.delete(key));
        } catch (RuntimeException e) {
            LOG.warnf("could not check partial object %s: %s", key, e.toString());
        }
    }

    private void deleteQuietly(List<String> written) {
        for (String key : written) {
            try {
                store.delete(key);
            } catch (RuntimeException e) {
                LOG.warnf("could not remove partial object %s: %s", key, e.toString());
            }
        }
    }
}
