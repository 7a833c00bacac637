package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Turns an {@link ImageRequest} into an {@link ImageJob}, or rejects it before any paid call. */
@ApplicationScoped
public class RequestValidator {
    private static final Set<ImageFormat> REFERENCE_FORMATS = Set.of(ImageFormat.PNG, ImageFormat.JPEG,
            ImageFormat.WEBP, ImageFormat.HEIC, ImageFormat.HEIF);
    private static final Pattern SIZE_K = Pattern.compile("([124])[kK]");
    private static final Pattern METADATA_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");
    private static final int MAX_KEY_BYTES = ObjectText.MAX_KEY_BYTES;

    private final ModelCatalogue catalogue;
    private final ImagefnConfig.Limits limits;
    private final List<String> referenceBuckets;
    private final String prefix;
    /** Full keys a caller's {@code key} may not start with: other parts of the function write there. */
    private final List<String> reservedAreas;

    @Inject
    public RequestValidator(ModelCatalogue catalogue, ImagefnConfig config) {
        this.catalogue = catalogue;
        this.limits = config.limits();
        this.referenceBuckets = config.storage().referenceBuckets().orElse(List.of());
        this.prefix = config.storage().prefix();
        this.reservedAreas = java.util.stream.Stream.of(prefix + ObjectKeys.FAILURES, prefix + ObjectKeys.IDEMPOTENCY,
                prefix + ObjectKeys.BATCHES,
                config.pipeline().jobsPrefix(), config.pipeline().uploadsPrefix()).filter(p -> !p.isEmpty()).toList();
    }

    public ImageJob validate(ImageRequest r, String requestId) {
        String prompt = r.prompt();
        if (prompt == null || prompt.isBlank()) {
            throw ImageFnException.invalid("'prompt' is required and must not be blank");
        }
        if (prompt.length() > limits.maxPromptChars()) {
            throw ImageFnException.invalid("'prompt' has " + prompt.length() + " characters; the limit is "
                    + limits.maxPromptChars());
        }
        ModelSpec model = catalogue.resolve(r.model());
        String ratio = aspectRatio(r.aspectRatio(), model);
        String size = imageSize(r.imageSize(), model);
        List<ReferenceImage> refs = references(r.referenceImages(), model);
        String thinking = thinking(r.thinking(), model);
        if (r.grounding() && !model.grounding()) {
            throw ImageFnException.invalid("model '" + model.id() + "' does not support Google Search grounding");
        }
        String key = r.key() == null ? null : key(r.key());
        String idem = idempotencyKey(r.idempotencyKey());
        Map<String, String> metadata = metadata(r.metadata(), r.provenance());
        return new ImageJob(requestId, model, prompt, Hashes.sha256Hex(prompt), ratio, size, refs, r.includeText(),
                thinking, r.grounding(), r.seed(), key, idem, metadata, r.presign());
    }

    /** The same job on another model (a successor), refused as a request would be if that model cannot take it. */
    public ImageJob onModel(ImageJob job, ModelSpec model) {
        String ratio = aspectRatio(job.aspectRatio(), model);
        String size = imageSize(job.imageSize(), model);
        List<ReferenceImage> refs = references(job.references(), model);
        String thinking = thinking(job.thinkingLevel(), model);
        if (job.grounding() && !model.grounding()) {
            throw ImageFnException.invalid("model '" + model.id() + "' does not support Google Search grounding");
        }
        return new ImageJob(job.requestId(), model, job.prompt(), job.promptSha256(), ratio, size, refs,
                job.includeText(), thinking, job.grounding(), job.seed(), job.explicitKey(), job.idempotencyKey(),
                job.metadata(), job.presign());
    }

    private static String aspectRatio(String ratio, ModelSpec model) {
        if (ratio == null) {
            return null;
        }
        String value = ratio.strip();
        if (!model.aspectRatios().contains(value)) {
            throw ImageFnException.invalid("aspectRatio '" + ModelCatalogue.abbreviate(ratio)
                    + "' is not supported by model '" + model.id() + "'; supported: "
                    + String.join(", ", model.aspectRatios()));
        }
        return value;
    }

    /** Accepts {@code 512}, {@code 1K}, {@code 2K}, {@code 4K}, {@code 0.5K} (as 512), any case of K. */
    static String normaliseSize(String size) {
        String s = size.strip();
        if (s.equalsIgnoreCase("0.5K") || s.equals("512")) {
            return "512";
        }
        var m = SIZE_K.matcher(s);
        return m.matches() ? m.group(1) + "K" : null;
    }

    private static String imageSize(String size, ModelSpec model) {
        if (size == null) {
            return null;
        }
        if (model.sizes().isEmpty()) {
            throw ImageFnException.invalid("model '" + model.id()
                    + "' has a single size tier and takes no imageSize; omit it");
        }
        String value = normaliseSize(size);
        if (value == null || !model.sizes().contains(value)) {
            throw ImageFnException.invalid("imageSize '" + ModelCatalogue.abbreviate(size)
                    + "' is not supported by model '" + model.id() + "'; supported: "
                    + String.join(", ", model.sizes()));
        }
        return value;
    }

    private List<ReferenceImage> references(List<ReferenceImage> refs, ModelSpec model) {
        if (refs.size() > model.maxReferenceImages()) {
            throw ImageFnException.invalid("model '" + model.id() + "' takes at most " + model.maxReferenceImages()
                    + " reference images; got " + refs.size());
        }
        for (int i = 0; i < refs.size(); i++) {
            switch (refs.get(i)) {
                case ReferenceImage.Stored s -> {
                    if (!referenceBuckets.contains(s.bucket())) {
                        throw new ImageFnException(ErrorCode.REFERENCE_FORBIDDEN, "referenceImages[" + i
                                + "]: bucket '" + s.bucket() + "' is not in imagefn.storage.reference-buckets");
                    }
                }
                case ReferenceImage.Inline in -> checkInline(in, "referenceImages[" + i + "]", limits);
            }
        }
        return refs;
    }

    /** Size and format checks shared by inline and stored reference images. */
    public static void checkInline(ReferenceImage.Inline in, String where, ImagefnConfig.Limits limits) {
        if (in.data().length > limits.maxReferenceBytes()) {
            throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, where + " has " + in.data().length
                    + " bytes; the limit is " + limits.maxReferenceBytes());
        }
        ImageFormat detected = ImageFormat.detect(in.data(), in.data().length)
                .filter(REFERENCE_FORMATS::contains)
                .orElseThrow(() -> ImageFnException.invalid(where + " is not a PNG, JPEG, WebP or HEIC/HEIF image"));
        if (in.mimeType() != null && ImageFormat.ofMimeType(in.mimeType()).isEmpty()) {
            throw ImageFnException.invalid(where + ": mimeType '" + ModelCatalogue.abbreviate(in.mimeType())
                    + "' is not a supported image type (detected " + detected.mimeType() + ")");
        }
    }

    private static String thinking(String level, ModelSpec model) {
        if (level == null) {
            return null;
        }
        String value = level.strip().toLowerCase(Locale.ROOT);
        if (!model.thinkingLevels().contains(value)) {
            throw ImageFnException.invalid(model.thinkingLevels().isEmpty()
                    ? "model '" + model.id() + "' takes no thinking level"
                    : "thinking '" + ModelCatalogue.abbreviate(level) + "' is not supported by model '" + model.id()
                            + "'; supported: " + String.join(", ", model.thinkingLevels()));
        }
        return value;
    }

    /** The object key for a caller-chosen key: relative, under the prefix, no way out of it, stored as given. */
    private String key(String key) {
        if (key.isBlank()) {
            throw ImageFnException.invalid("'key' must not be blank");
        }
        if (key.startsWith("/")) {
            throw ImageFnException.invalid("'key' must be a relative path, not start with '/'");
        }
        String problem = ObjectText.pathProblem(key);
        if (problem != null) {
            throw ImageFnException.invalid("'key' " + problem);
        }
        String full = prefix + key;
        if (full.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES - 8) {
            throw ImageFnException.invalid("'key' is too long: the full object key may have at most "
                    + (MAX_KEY_BYTES - 8) + " bytes");
        }
        for (String area : reservedAreas) {
            if (full.startsWith(area)) {
                throw ImageFnException.invalid("'key' lies under '" + area + "', which the function keeps for itself");
            }
        }
        return full;
    }

    private static String idempotencyKey(String idem) {
        if (idem == null) {
            return null;
        }
        if (idem.isEmpty() || idem.length() > 256) {
            throw ImageFnException.invalid("'idempotencyKey' must have 1 to 256 characters");
        }
        String bad = ObjectText.badCharacter(idem);
        if (bad != null) {
            throw ImageFnException.invalid("'idempotencyKey' contains " + bad);
        }
        return idem;
    }

    static final int MAX_METADATA_ENTRIES = 64;

    private Map<String, String> metadata(Map<String, String> metadata, Map<String, String> provenance) {
        if (metadata.size() > MAX_METADATA_ENTRIES) {
            // Each entry is a header of its own, and a name in the signature's list: many tiny ones pass S3's 8 KB
            // of request headers although their bytes are within the limit, and the PUT would fail after paying.
            throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "metadata has " + metadata.size()
                    + " entries; the limit is " + MAX_METADATA_ENTRIES);
        }
        Map<String, String> out = new LinkedHashMap<>();
        int total = 0;
        for (var e : metadata.entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!METADATA_NAME.matcher(name).matches()) {
                throw ImageFnException.invalid("metadata key '" + ModelCatalogue.abbreviate(e.getKey())
                        + "' must be letters, digits and '-' (at most 64)");
            }
            if (StoredMetadata.RESERVED.contains(name)) {
                throw ImageFnException.invalid("metadata key '" + name + "' is reserved");
            }
            String value = e.getValue() == null ? "" : e.getValue();
            if (!value.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw ImageFnException.invalid("metadata value of '" + name + "' must be printable ASCII");
            }
            total += name.length() + value.length();
            out.put(name, value);
        }
        for (var e : provenance.entrySet()) {
            if (!StoredMetadata.RESERVED.contains(e.getKey()) || !e.getValue().chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
                throw new IllegalStateException("provenance metadata must be reserved names with printable ASCII values");
            }
            total += e.getKey().length() + e.getValue().length();
            out.put(e.getKey(), e.getValue());
        }
        if (total > limits.maxMetadataBytes()) {
            throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "metadata has " + total
                    + " bytes; the limit is " + limits.maxMetadataBytes());
        }
        return out;
    }
}
