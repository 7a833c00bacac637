package dev.imagefn.delivery.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageResult;
import dev.imagefn.core.ImageStore;
import dev.imagefn.core.ModelCatalogue;
import dev.imagefn.core.ModelSpec;
import dev.imagefn.core.PixelSizes;
import dev.imagefn.delivery.Deliveries;
import dev.imagefn.delivery.Delivery;
import dev.imagefn.delivery.Outcome;
import dev.imagefn.json.OpenAiJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * {@code POST /v1/images/generations}, the OpenAI Images API (README, OpenAI-compatible endpoint): the body is
 * translated into imagefn events, each run like every other event; the answer and the errors are in OpenAI's shape.
 */
@ApplicationScoped
public class OpenAiImages {
    /** At most this many images (so paid generations) per request. */
    public static final int MAX_IMAGES = 4;
    private static final Logger LOG = Logger.getLogger(OpenAiImages.class);
    /** Set to {@code url} on an answer given as urls although {@code b64_json} was asked for. */
    public static final String RESPONSE_FORMAT_HEADER = "X-Imagefn-Response-Format";
    private static final Pattern SIZE = Pattern.compile("([0-9]{1,5})x([0-9]{1,5})");
    /** Sent by the OpenAI SDKs: their timeout, in seconds (Node: whole seconds; Python: its read timeout). */
    static final String SDK_TIMEOUT_HEADER = "X-Stainless-Timeout";
    static final String SDK_READ_TIMEOUT_HEADER = "X-Stainless-Read-Timeout";
    private static final long SDK_DEFAULT_TIMEOUT_MS = 600_000;
    private static final List<String> BACKGROUNDS = List.of("auto", "opaque", "transparent");
    /** OpenAI's own model names: a tool that cannot change them gets the default model. */
    private static final Pattern OPENAI_MODEL = Pattern.compile("(dall-e-[0-9]|gpt-image-[0-9a-z.\\-]+)");

    private final Deliveries deliveries;
    private final ModelCatalogue catalogue;
    private final ImageStore store;
    private final ImagefnConfig config;
    private final OpenAiJson json;

    @Inject
    public OpenAiImages(Deliveries deliveries, ModelCatalogue catalogue, ImageStore store, ImagefnConfig config) {
        this.deliveries = deliveries;
        this.catalogue = catalogue;
        this.store = store;
        this.config = config;
        this.json = new OpenAiJson(Math.max(config.limits().maxPromptChars(), 64 * 1024));
    }

    public HttpReply generations(Function<String, String> header, InputStream body, String requestId, Deadline base) {
        return generations(header, body, requestId, base, config.limits().maxAnswerBytes().orElse(Long.MAX_VALUE));
    }

    /**
     * {@code maxAnswerBytes}: what the carrier can answer (Lambda's 6 MB response payload). A {@code b64_json} answer
     * that would not fit is given as presigned {@code url}s instead, since its images are paid and stored: an answer
     * Lambda refuses is a 502, which the OpenAI SDKs retry, paying again.
     */
    public HttpReply generations(Function<String, String> header, InputStream body, String requestId, Deadline base,
            long maxAnswerBytes) {
        List<ImageResult> results = new ArrayList<>();
        boolean inFlight = false;
        try {
            Deadline deadline = HttpCalls.deadline(base, header.apply(HttpCalls.TIMEOUT_HEADER))
                    .atMost(answerWithin(header.apply(SDK_TIMEOUT_HEADER)))
                    .atMost(answerWithin(header.apply(SDK_READ_TIMEOUT_HEADER)));
            OpenAiJson.Request r = json.read(HttpCalls.bounded(body, header.apply("Content-Length"),
                    config.limits().maxBodyBytes(), config.limits().bodyReadTimeout()));
            boolean b64 = responseFormat(r.responseFormat(), r.model());
            List<ImageRequest> requests = translate(r, !b64);
            List<OpenAiJson.Item> items = new ArrayList<>();
            for (int i = 0; i < requests.size(); i++) {
                ImageRequest request = requests.get(i);
                inFlight = true;
                try {
                    Outcome o = deliveries.run(Delivery.call("http", requestId, deadline), () -> request);
                    inFlight = false;
                    if (o.result() == null) {
                        throw o.error() != null ? o.error()
                                : new ImageFnException(ErrorCode.INTERNAL, "not generated: " + o.skipped());
                    }
                    results.add(o.result());
                } catch (ImageFnException e) {
                    return OpenAiErrors.reply(requests.size() == 1 ? e
                            : abandon(e, i + 1, results, r.idempotencyKey()), requestId);
                }
            }
            Map<String, String> headers = new LinkedHashMap<>(Map.of("Content-Type", "application/json",
                    RequestIds.HEADER, requestId));
            boolean inline = b64 && base64Bytes(results) <= maxAnswerBytes;
            if (b64 && !inline) {
                LOG.warnf("request %s: the b64_json answer would pass the carrier's %d-byte limit; answered with url",
                        requestId, maxAnswerBytes);
                headers.put(RESPONSE_FORMAT_HEADER, "url");
            }
            for (ImageResult result : results) {
                items.add(inline ? new OpenAiJson.Item(null, base64Of(result))
                        : new OpenAiJson.Item(result.url() != null ? result.url() : presigned(result), null));
            }
            return new HttpReply(200, headers, OpenAiJson.writeImages(Instant.now().getEpochSecond(), items, results));
        } catch (ImageFnException e) {
            return OpenAiErrors.reply(e, requestId);
        } catch (RuntimeException | OutOfMemoryError e) {
            LOG.errorf(e, "request %s failed unexpectedly", requestId);
            ImageFnException internal = new ImageFnException(ErrorCode.INTERNAL, "internal error; see the logs for "
                    + "request " + requestId);
            // Once an image was made, or while one was being made (an OutOfMemoryError reading a paid answer), the
            // SDK's own retry would pay for it again.
            return OpenAiErrors.reply(!inFlight && results.stream().allMatch(ImageResult::reused) ? internal
                    : internal.paid(), requestId);
        }
    }

    /**
     * Image {@code failed} (from 1) of a request for several failed, perhaps after others were stored. With an
     * idempotency key they stay (their records name them; a retry reuses them); without one nothing names them
     * again, so they are deleted (best effort).
     */
    private ImageFnException abandon(ImageFnException e, int failed, List<ImageResult> stored,
            String idempotencyKey) {
        String which = " (image " + failed + " of the request failed";
        if (stored.isEmpty()) {
            return e.withDetail(which + ")");
        }
        if (idempotencyKey != null) {
            String keys = String.join(", ", stored.stream().flatMap(r -> keysOf(r).stream()).toList());
            return e.withDetail(which + "; these images stored for it stay: " + keys + (e.retryable()
                    ? "; the same request with the same idempotencyKey reuses them and pays only for the rest)"
                    : ")"));
        }
        int deleted = 0;
        int left = 0;
        for (ImageResult result : stored) {
            if (result.reused()) {
                continue;
            }
            for (String key : keysOf(result)) {
                try {
                    store.delete(key);
                    deleted++;
                } catch (RuntimeException d) {
                    left++;
                    LOG.warnf("could not delete %s after image %d of the request failed: %s", key, failed,
                            d.toString());
                }
            }
        }
        ImageFnException abandoned = e.withDetail(which + "; the " + deleted + " image(s) stored for it were deleted"
                + (left == 0 ? ")" : ", " + left + " could not be)"));
        // Those images were paid: a retry the SDK makes by itself would pay for them again.
        return stored.stream().allMatch(ImageResult::reused) || !e.retryable() ? abandoned
                : abandoned.withDetail("; they were paid, so this is not retried: with an idempotencyKey a retry"
                        + " reuses what was stored").paid();
    }

    /** The url of a stored image given instead of its bytes; a failure here comes after Gemini was paid. */
    private String presigned(ImageResult result) {
        try {
            return store.presign(result.key(), config.storage().presignTtl()).toString();
        } catch (ImageFnException e) {
            throw e.withDetail(" (presigning " + result.key() + ", which is stored)").paid();
        } catch (RuntimeException e) {
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "could not presign " + result.key()
                    + ", which is stored: " + e.getMessage()).paid();
        }
    }

    /**
     * How long this request may take: less than its client waits. The OpenAI SDKs (Stainless) send their timeout in
     * {@code X-Stainless-Timeout} (Node) or {@code X-Stainless-Read-Timeout} (Python), in seconds, and retry a
     * request that outlives it, paying again; the shorter of the two counts. Without either,
     * their default, 600 s. The answer comes before that, by a tenth of it or 15 s, whichever is less.
     */
    static java.time.Duration answerWithin(String sdkTimeout) {
        long ms = SDK_DEFAULT_TIMEOUT_MS;
        if (sdkTimeout != null) {
            try {
                double seconds = Double.parseDouble(sdkTimeout.strip());
                if (seconds > 0 && seconds < 86_400) {
                    ms = (long) (seconds * 1000);
                }
            } catch (NumberFormatException ignored) {
                // Not a number: the default stands.
            }
        }
        return java.time.Duration.ofMillis(ms - Math.min(15_000, ms / 10));
    }

    private static List<String> keysOf(ImageResult result) {
        return result.images().isEmpty() ? List.of(result.key())
                : result.images().stream().map(ImageResult.StoredImage::key).toList();
    }

    /**
     * {@code true} for {@code b64_json}; {@code url} (presigned GET) when absent, as for OpenAI's DALL·E models, but
     * {@code b64_json} for a {@code gpt-image-*} name: those always answer in base64, and tools written for them read
     * {@code b64_json}.
     */
    private static boolean responseFormat(String format, String model) {
        if (format == null) {
            return model != null && model.strip().startsWith("gpt-image-");
        }
        if (format.equals("url")) {
            return false;
        }
        if (format.equals("b64_json")) {
            return true;
        }
        throw OpenAiJson.invalid("'response_format' must be 'url' or 'b64_json'", "response_format");
    }

    /** The events of this request: one per image; shape only, the pipeline validates the values. */
    private List<ImageRequest> translate(OpenAiJson.Request r, boolean presign) {
        if (r.stream()) {
            throw OpenAiJson.invalid("streaming is not supported; leave 'stream' out", "stream");
        }
        if (r.background() != null && !BACKGROUNDS.contains(r.background())) {
            throw OpenAiJson.invalid("'background' must be 'auto', 'opaque' or 'transparent'", "background");
        }
        if ("transparent".equals(r.background())) {
            throw OpenAiJson.invalid("transparent backgrounds are not supported by the Gemini image models",
                    "background");
        }
        int n = r.n() == null ? 1 : r.n();
        if (n < 1 || n > MAX_IMAGES) {
            throw OpenAiJson.invalid("'n' must be between 1 and " + MAX_IMAGES, "n");
        }
        if (n > 1 && r.key() != null) {
            throw OpenAiJson.invalid("'key' names one object; with n > 1 leave it out", "key");
        }
        String model = r.model() != null && OPENAI_MODEL.matcher(r.model().strip()).matches() ? null : r.model();
        String ratio = r.aspectRatio();
        String imageSize = r.imageSize();
        if (r.size() != null && !r.size().equals("auto")) {
            if (ratio != null || imageSize != null) {
                throw OpenAiJson.invalid("give 'size' or 'aspectRatio'/'imageSize', not both", "size");
            }
            Matcher m = SIZE.matcher(r.size());
            if (!m.matches()) {
                throw OpenAiJson.invalid("'size' must be 'auto' or WIDTHxHEIGHT in pixels, such as '1024x1024'",
                        "size");
            }
            ModelSpec spec = catalogue.resolve(model);
            PixelSizes.Choice choice;
            try {
                choice = PixelSizes.choose(spec, Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)));
            } catch (ImageFnException e) {
                throw OpenAiJson.invalid("'size' " + r.size() + ": " + e.detail(), "size");
            }
            ratio = choice.aspectRatio();
            imageSize = choice.imageSize();
        }
        List<ImageRequest> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String idem = r.idempotencyKey() == null || n == 1 ? r.idempotencyKey() : r.idempotencyKey() + "#" + (i + 1);
            out.add(new ImageRequest(r.prompt(), model, ratio, imageSize, List.of(), false, null, false, null, r.key(),
                    idem, r.metadata(), presign));
        }
        return out;
    }

    /**
     * The answer's size with every image inline: the base64 text, and the rest of the answer twice over, as the
     * carrier may escape each of its characters.
     */
    private static long base64Bytes(List<ImageResult> results) {
        long images = 0;
        List<OpenAiJson.Item> empty = new ArrayList<>();
        for (ImageResult result : results) {
            images += (result.bytes() + 2) / 3 * 4;
            empty.add(new OpenAiJson.Item(null, ""));
        }
        return images + 2L * OpenAiJson.writeImages(0, empty, results).length;
    }

    /** The stored image, read back: a failure here comes after Gemini was paid, so it is not retryable. */
    private String base64Of(ImageResult result) {
        ImageStore.StoredBytes o;
        try {
            o = store.readObject(result.bucket(), result.key(), config.limits().maxImageBytes());
        } catch (ImageFnException e) {
            throw e.withDetail(" (reading back " + result.key() + ", which is stored)").paid();
        }
        if (!java.util.HexFormat.of().formatHex(dev.imagefn.core.Hashes.sha256(o.data(), o.data().length))
                .equals(result.sha256())) {
            throw new ImageFnException(ErrorCode.STORAGE_UNAVAILABLE, "the stored image " + result.key()
                    + " changed after it was written").paid();
        }
        return Base64.getEncoder().encodeToString(o.data());
    }
}
