package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.jboss.logging.Logger;

/**
 * The job, trigger-agnostic: validate → idempotency lookup → generate → store → result.
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
    /** Concurrent duplicates of one idempotent job in this instance share one paid call. */
    private final ConcurrentHashMap<String, CompletableFuture<ImageResult>> inFlight = new ConcurrentHashMap<>();

    @Inject
    public ImagePipeline(RequestValidator validator, ImageGenerator generator, ImageStore store, ObjectKeys keys,
            ImagefnConfig config, PipelineMetrics metrics, ModelCatalogue catalogue) {
        this.metrics = metrics;
        this.catalogue = catalogue;
        this.validator = validator;
        this.generator = generator;
        this.store = store;
        this.keys = keys;
        this.config = config;
    }

    public ImageResult run(ImageRequest request, String requestId, Deadline deadline) {
        var sample = metrics.start();
        try {
            ImageResult result = runJob(request, requestId, deadline);
            metrics.succeeded(sample, result);
            return result;
        } catch (ImageFnException e) {
            metrics.failed(sample, e, catalogue.labelFor(request.model()));
            throw e;
        }
    }

    private ImageResult runJob(ImageRequest request, String requestId, Deadline deadline) {
        ImageJob job = validator.validate(request, requestId);
        String stem = job.explicitKey() != null ? job.explicitKey() : keys.stem(job);
        if (!job.idempotent()) {
            return generateAndStore(job, stem, deadline);
        }
        CompletableFuture<ImageResult> mine = new CompletableFuture<>();
        CompletableFuture<ImageResult> leader = inFlight.putIfAbsent(stem, mine);
        if (leader != null) {
            return reusedFrom(await(leader, deadline), job);
        }
        try {
            ImageResult result = findExisting(job, stem).orElseGet(() -> generateAndStore(job, stem, deadline));
            mine.complete(result);
            return result;
        } catch (RuntimeException e) {
            mine.completeExceptionally(e);
            throw e;
        } finally {
            inFlight.remove(stem, mine);
        }
    }

    private Optional<ImageResult> findExisting(ImageJob job, String stem) {
        if (job.explicitKey() != null) {
            return store.head(job.explicitKey()).map(existing -> reusedResult(job, stem, existing));
        }
        for (String candidate : keys.lookupStems(job)) {
            Optional<ImageStore.StoredObject> found = store.findByStem(candidate);
            if (found.isPresent()) {
                return Optional.of(reusedResult(job, candidate, found.get()));
            }
        }
        return Optional.empty();
    }

    private ImageResult generateAndStore(ImageJob job, String stem, Deadline deadline) {
        List<ReferenceImage.Inline> refs = loadReferences(job);
        Generation generation = generator.generate(new GenerationRequest(job.model().id(), job.prompt(),
                job.aspectRatio(), job.imageSize(), refs, job.includeText(), job.thinkingLevel(), job.grounding(),
                job.seed()), deadline);
        if (generation.images().isEmpty()) {
            throw new ImageFnException(ErrorCode.NO_IMAGE, "the model returned no image");
        }
        Map<String, String> common = commonMetadata(job, generation.modelVersion());
        List<ImageResult.StoredImage> stored = new ArrayList<>();
        List<String> written = new ArrayList<>();
        int count = generation.images().size();
        String attempted = null;
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
                store.put(key, image, metadata, job.idempotent());
                written.add(key);
                attempted = null;
                stored.add(new ImageResult.StoredImage(key, image.mimeType(), image.bytes().length(), sha256,
                        image.width(), image.height()));
            }
            ImageResult.StoredImage main = stored.get(count - 1);
            return new ImageResult(store.bucket(), main.key(), presignIfAsked(job, main.key()), main.mimeType(),
                    main.bytes(), main.sha256(), main.width(), main.height(), stored,
                    job.includeText() ? generation.text() : null, job.model().id(), generation.modelVersion(),
                    generation.usage(), cost(job, count), false, job.requestId());
        } catch (ImageStore.AlreadyExists raced) {
            // Another instance stored this idempotent job first: ours is dropped, theirs is the answer.
            deleteQuietly(written);
            return reusedResult(job, stem, raced.existing());
        } catch (RuntimeException e) {
            deleteQuietly(written);
            if (attempted != null) {
                deleteIfOurs(attempted, job);
            }
            throw e;
        }
    }

    private List<ReferenceImage.Inline> loadReferences(ImageJob job) {
        List<ReferenceImage.Inline> out = new ArrayList<>();
        for (int i = 0; i < job.references().size(); i++) {
            switch (job.references().get(i)) {
                case ReferenceImage.Inline in -> out.add(in);
                case ReferenceImage.Stored s -> {
                    ReferenceImage.Inline loaded = store.read(s.bucket(), s.key(), config.limits().maxReferenceBytes());
                    // The object's Content-Type is often generic (application/octet-stream): the bytes decide.
                    ReferenceImage.Inline byBytes = new ReferenceImage.Inline(null, loaded.data());
                    RequestValidator.checkInline(byBytes, "referenceImages[" + i + "] (" + s.uri() + ")",
                            config.limits());
                    out.add(byBytes);
                }
            }
        }
        return out;
    }

    private Map<String, String> commonMetadata(ImageJob job, String modelVersion) {
        Map<String, String> m = new LinkedHashMap<>(job.metadata());
        m.put(StoredMetadata.MODEL, job.model().id());
        if (modelVersion != null && modelVersion.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            m.put(StoredMetadata.MODEL_VERSION, modelVersion);
        }
        m.put(StoredMetadata.PROMPT_SHA256, job.promptSha256());
        m.put(StoredMetadata.REQUEST_ID, job.requestId());
        if (job.idempotent()) {
            m.put(StoredMetadata.IDEMPOTENCY_KEY_SHA256, Hashes.sha256Hex(job.idempotencyKey()));
        }
        return m;
    }

    /** The stored answer to an earlier request with the same idempotency key. */
    private ImageResult reusedResult(ImageJob job, String stem, ImageStore.StoredObject main) {
        Map<String, String> md = main.metadata();
        String promptSha = md.get("prompt-sha256");
        String model = md.getOrDefault("model", job.model().id());
        if ((promptSha != null && !promptSha.equals(job.promptSha256())) || !model.equals(job.model().id())) {
            LOG.warnf("idempotencyKey of request %s was first used with another prompt or model; returning %s",
                    job.requestId(), main.key());
        }
        ImageFormat format = ImageFormat.ofMimeType(main.mimeType()).orElse(ImageFormat.JPEG);
        int count = parseInt(md.get("images"), 1);
        List<ImageResult.StoredImage> images = new ArrayList<>();
        for (int i = 0; i < count - 1; i++) {
            store.head(ObjectKeys.keyFor(stem, job.explicitKey(), i, count, format))
                    .ifPresent(o -> images.add(storedImage(o)));
        }
        images.add(storedImage(main));
        return reused(job, images, model, md.get("model-version"));
    }

    private ImageResult reusedFrom(ImageResult leader, ImageJob job) {
        return reused(job, leader.images(), leader.model(), leader.modelVersion());
    }

    /** A result for images stored earlier: the last is the main one; nothing was generated or paid. */
    private ImageResult reused(ImageJob job, List<ImageResult.StoredImage> images, String model, String modelVersion) {
        ImageResult.StoredImage main = images.get(images.size() - 1);
        return new ImageResult(store.bucket(), main.key(), presignIfAsked(job, main.key()), main.mimeType(),
                main.bytes(), main.sha256(), main.width(), main.height(), images, null, model, modelVersion,
                Usage.NONE, new ImageResult.Cost(BigDecimal.ZERO, "reused: no generation"), true, job.requestId());
    }

    private static ImageResult.StoredImage storedImage(ImageStore.StoredObject o) {
        Map<String, String> md = o.metadata();
        return new ImageResult.StoredImage(o.key(), o.mimeType(), o.bytes(), md.getOrDefault("sha256", ""),
                parseInt(md.get("width"), 0), parseInt(md.get("height"), 0));
    }

    private ImageResult await(CompletableFuture<ImageResult> leader, Deadline deadline) {
        try {
            return leader.get(deadline.remaining().toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new ImageFnException(ErrorCode.INTERNAL, "the concurrent duplicate failed", e.getCause());
        } catch (TimeoutException e) {
            throw new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "deadline reached while a duplicate ran");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "interrupted");
        }
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

    /** A PUT that failed may still have stored the object (DESIGN §1): remove it if it is this request's. */
    private void deleteIfOurs(String key, ImageJob job) {
        try {
            store.head(key).filter(o -> job.requestId().equals(o.metadata().get("request-id")))
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

    private static int parseInt(String s, int fallback) {
        try {
            return s == null ? fallback : Integer.parseInt(s);
        } catch (NumberFormatException e) {
            return fallback;
        }
    }
}
