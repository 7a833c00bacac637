package dev.imagefn.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageFormat;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageStore;
import dev.imagefn.core.ReferenceImage;
import dev.imagefn.core.StoredMetadata;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * An object was created (S3 notification, EventBridge "Object Created", a Cloud Storage CloudEvent): a
 * {@code .json} object under the
 * jobs prefix is an event; an image under the uploads prefix is edited with the pipeline prompt (the
 * object's {@code prompt} metadata wins). The idempotency key is the object's bucket, key and ETag, so a
 * redelivery never pays twice and never writes a second object; a new version of the object (new ETag) is a
 * new job. The function's own output is never taken as input.
 */
@ApplicationScoped
public class ObjectCreatedHandler {
    private final ImagePipeline pipeline;
    private final ImageStore store;
    private final EventBodies bodies;
    private final FailureRecords failures;
    private final ObjectMapper json;
    private final ImagefnConfig config;

    @Inject
    ObjectCreatedHandler(ImagePipeline pipeline, ImageStore store, EventBodies bodies, FailureRecords failures,
            ObjectMapper json, ImagefnConfig config) {
        this.pipeline = pipeline;
        this.store = store;
        this.bodies = bodies;
        this.failures = failures;
        this.json = json;
        this.config = config;
        String out = config.storage().prefix();
        for (String in : List.of(config.pipeline().jobsPrefix(), config.pipeline().uploadsPrefix())) {
            if (!out.isEmpty() && in.startsWith(out)) {
                throw new IllegalStateException("imagefn.pipeline prefix '" + in + "' lies under the output prefix '"
                        + out + "': the function's own output would trigger it again");
            }
        }
    }

    public Outcome handleObject(String bucket, String key, String etag, String requestId, Deadline deadline) {
        String uri = "s3://" + bucket + "/" + key;
        String outputPrefix = config.storage().prefix();
        if (bucket.equals(store.bucket()) && (outputPrefix.isEmpty() ? key.startsWith("failures/")
                || key.matches("\\d{4}/\\d{2}/\\d{2}/.*") : key.startsWith(outputPrefix))) {
            return Outcome.skipped(uri, "the function's own output");
        }
        String identity = "s3:" + uri + "@" + etag.replace("\"", "");
        boolean job = key.startsWith(config.pipeline().jobsPrefix()) && key.endsWith(".json");
        boolean upload = key.startsWith(config.pipeline().uploadsPrefix());
        if (!job && !upload) {
            return Outcome.skipped(uri, "neither under the jobs prefix nor under the uploads prefix");
        }
        String original = uri;
        try {
            ImageRequest request;
            if (job) {
                ImageStore.StoredBytes file = store.readObject(bucket, key, config.limits().maxBodyBytes());
                original = new String(file.data(), StandardCharsets.UTF_8);
                request = bodies.read(file.data(), tree(file.data()), identity, false);
            } else {
                ImageStore.StoredBytes file = store.readObject(bucket, key, config.limits().maxReferenceBytes());
                if (ImageFormat.detect(file.data(), file.data().length).isEmpty()) {
                    return Outcome.skipped(uri, "not an image");
                }
                String prompt = file.metadata().getOrDefault("prompt", config.pipeline().prompt());
                request = new ImageRequest(prompt, null, null, null,
                        List.of(new ReferenceImage.Inline(null, file.data())), false, null, false, null,
                        null, dev.imagefn.http.HttpFunction.derivedKey(identity),
                        Map.of(), false, Map.of(StoredMetadata.SOURCE_KEY, ascii(key), StoredMetadata.SOURCE_BUCKET, bucket));
            }
            return Outcome.done(uri, pipeline.run(request, requestId, deadline));
        } catch (ImageFnException e) {
            return failures.outcomeOf(e, "s3", bucket + "/" + key + "@" + etag.replace("\"", ""), uri, original,
                    requestId);
        }
    }

    private JsonNode tree(byte[] body) {
        try {
            return json.readTree(body);
        } catch (IOException e) {
            return null;
        }
    }

    /** Metadata values must be printable ASCII; keys with other characters are percent-encoded. */
    private static String ascii(String s) {
        return s.chars().allMatch(c -> c >= 0x20 && c < 0x7f) ? s
                : java.net.URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
