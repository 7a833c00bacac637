package dev.imagefn.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonToken;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.Hashes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageResult;
import dev.imagefn.core.ObjectText;
import dev.imagefn.json.EventJson;
import dev.imagefn.json.ProblemJson;
import dev.imagefn.json.ResultJson;
import dev.imagefn.pipeline.ObjectCreatedHandler;
import dev.imagefn.pipeline.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;

/**
 * The HTTP semantics of the function (DESIGN §10), independent of the server that carries them: the
 * Quarkus REST resources and the Lambda API Gateway / function URL adapter both answer through here.
 * <ul>
 * <li>{@code POST /v1/images}: the event in, the result out, RFC 9457 problems.
 * <li>{@code POST /}: CloudEvents 1.0. Success: a binary-mode {@code dev.imagefn.image.generated} event. A permanent
 * (4xx) failure: status 200 with a {@code dev.imagefn.image.failed} event, so brokers do not retry it. A retryable
 * failure (429, 5xx): that status, so the broker's delivery policy retries. A redelivered event (same source and id)
 * pays once: without an {@code idempotencyKey} of its own, one is derived from them.
 * </ul>
 */
@ApplicationScoped
public class HttpFunction {
    public static final String REQUESTED = "dev.imagefn.image.requested";
    public static final String GENERATED = "dev.imagefn.image.generated";
    public static final String FAILED = "dev.imagefn.image.failed";
    /** Eventarc's Cloud Storage event: an upload pipeline trigger (DESIGN §10). */
    public static final String GCS_FINALIZED = "google.cloud.storage.object.v1.finalized";
    private static final String JSON = "application/json";
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private final ImagePipeline pipeline;
    private final EventJson events;
    private final ImagefnConfig config;
    private final BearerToken token;
    private final ObjectCreatedHandler objects;

    @Inject
    public HttpFunction(ImagePipeline pipeline, ImagefnConfig config, BearerToken token, ObjectCreatedHandler objects) {
        this.pipeline = pipeline;
        this.objects = objects;
        this.config = config;
        this.token = token;
        this.events = new EventJson(config.limits());
    }

    /** Routes a whole request, authorisation included (the REST server does routing and auth itself). */
    public HttpReply route(String method, String path, Function<String, String> header, byte[] body, Deadline base) {
        String requestId = RequestIds.accept(header.apply(RequestIds.HEADER));
        String p = path == null || path.isEmpty() ? "/" : path;
        if (p.startsWith("/q/health")) {
            return new HttpReply(200, Map.of("Content-Type", JSON),
                    "{\"status\":\"UP\",\"checks\":[]}".getBytes(StandardCharsets.UTF_8));
        }
        boolean known = p.equals("/") || p.equals("/v1/images") || p.equals("/v1/images/");
        if (!known) {
            return problem(new ImageFnException(ErrorCode.NOT_FOUND, "no route for " + p
                    + "; use POST /v1/images or POST / (CloudEvents)"), requestId);
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return problem(new ImageFnException(ErrorCode.METHOD_NOT_ALLOWED, method + " is not allowed on " + p
                    + "; use POST"), requestId);
        }
        if (!token.accepts(header.apply("Authorization"))) {
            return unauthorized(header.apply("Authorization") == null, requestId);
        }
        if (body.length > config.limits().maxBodyBytes()) {
            return problem(new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than "
                    + config.limits().maxBodyBytes() + " bytes"), requestId);
        }
        return p.equals("/") ? cloudEvent(header, body, requestId, base) : images(header, body, requestId, base);
    }

    public HttpReply images(Function<String, String> header, byte[] body, String requestId, Deadline base) {
        try {
            ImageRequest request = events.read(body);
            ImageResult result = pipeline.run(request, requestId,
                    HttpCalls.deadline(base, header.apply(HttpCalls.TIMEOUT_HEADER)));
            return new HttpReply(200, Map.of("Content-Type", JSON, RequestIds.HEADER, requestId),
                    ResultJson.write(result));
        } catch (ImageFnException e) {
            return problem(e, requestId);
        }
    }

    public HttpReply cloudEvent(Function<String, String> header, byte[] body, String requestId, Deadline base) {
        CloudEvent event;
        try {
            event = CloudEventBinding.fromHttp(header, body);
            if (GCS_FINALIZED.equals(event.type())) {
                return storageEvent(event, requestId, base);
            }
            if (!REQUESTED.equals(event.type())) {
                throw ImageFnException.invalid("CloudEvent type '" + event.type() + "' is not handled; send "
                        + REQUESTED);
            }
        } catch (ImageFnException e) {
            return problem(e, requestId);
        }
        try {
            ImageRequest request = events.read(event.data());
            if (request.idempotencyKey() == null) {
                request = request.withIdempotencyKey(derivedKey("cloudevent:" + event.source() + "#" + event.id()));
            }
            ImageResult result = pipeline.run(request, requestId,
                    HttpCalls.deadline(base, header.apply(HttpCalls.TIMEOUT_HEADER)));
            return cloudEventReply(GENERATED, result.key(), JSON, ResultJson.write(result), requestId);
        } catch (ImageFnException e) {
            int status = e.code().status();
            if (status >= 400 && status < 500 && status != 429) {
                return cloudEventReply(FAILED, event.id(), ProblemJson.MEDIA_TYPE, ProblemJson.write(e, requestId),
                        requestId);
            }
            return problem(e, requestId);
        }
    }

    /** A Cloud Storage object was finalized: a job file or an upload, like an S3 ObjectCreated. */
    private HttpReply storageEvent(CloudEvent event, String requestId, Deadline base) {
        String bucket;
        String name;
        String version;
        try (var p = JSON_FACTORY.createParser(event.data())) {
            Map<String, String> tree = new HashMap<>();
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ImageFnException.invalid("the storage event's data must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (p.currentToken().isScalarValue()) {
                    tree.put(field, p.getText());
                } else {
                    p.skipChildren();
                }
            }
            bucket = tree.get("bucket");
            name = tree.get("name");
            version = tree.getOrDefault("etag", tree.getOrDefault("generation", tree.getOrDefault("md5Hash", "")));
        } catch (IOException e) {
            return problem(ImageFnException.invalid("the storage event's data is not valid JSON"), requestId);
        } catch (ImageFnException e) {
            return problem(e, requestId);
        }
        if (bucket == null || name == null) {
            return problem(ImageFnException.invalid("the storage event's data needs 'bucket' and 'name'"), requestId);
        }
        Outcome o = objects.handleObject(bucket, name, version, requestId, base);
        return switch (o.status()) {
            case GENERATED, REUSED -> cloudEventReply(GENERATED, o.key(), JSON,
                    ("{\"source\":" + quote(o.id()) + ",\"status\":\"" + o.status().name().toLowerCase(Locale.ROOT)
                            + "\",\"key\":" + quote(o.key()) + "}").getBytes(StandardCharsets.UTF_8), requestId);
            // Acknowledged without a reply event: brokers take an empty 2xx as done.
            case SKIPPED -> new HttpReply(204, Map.of(RequestIds.HEADER, requestId, "X-Imagefn-Skipped",
                    o.failureRecord()), new byte[0]);
            case FAILED -> cloudEventReply(FAILED, event.id(), ProblemJson.MEDIA_TYPE,
                    ProblemJson.write(o.error(), requestId), requestId);
            case RETRY -> problem(o.error(), requestId);
        };
    }

    private static String quote(String s) {
        var out = new StringWriter();
        try (var g = JSON_FACTORY.createGenerator(out)) {
            g.writeString(s);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** An idempotency key from a delivery's identity, hashed when it would be too long or hold refused characters. */
    public static String derivedKey(String identity) {
        return identity.length() <= 256 && ObjectText.badCharacter(identity) == null ? identity
                : "sha256:" + Hashes.sha256Hex(identity);
    }

    public HttpReply unauthorized(boolean missing, String requestId) {
        HttpReply p = problem(new ImageFnException(ErrorCode.UNAUTHORIZED,
                missing ? "missing bearer token" : "wrong bearer token"), requestId);
        Map<String, String> headers = new LinkedHashMap<>(p.headers());
        headers.put("WWW-Authenticate", "Bearer");
        return new HttpReply(p.status(), headers, p.body());
    }

    public static HttpReply problem(ImageFnException e, String requestId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", ProblemJson.MEDIA_TYPE);
        if (requestId != null) {
            headers.put(RequestIds.HEADER, requestId);
        }
        e.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Long.toString(s)));
        ProblemMapper.log(e, requestId);
        return new HttpReply(e.code().status(), headers, ProblemJson.write(e, requestId));
    }

    private HttpReply cloudEventReply(String type, String subject, String contentType, byte[] data,
            String requestId) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", contentType);
        h.put("ce-specversion", CloudEvent.SPEC_VERSION);
        h.put("ce-id", UUID.randomUUID().toString());
        h.put("ce-source", config.events().source());
        h.put("ce-type", type);
        h.put("ce-subject", CloudEventBinding.encode(subject));
        h.put("ce-time", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        h.put(RequestIds.HEADER, requestId);
        return new HttpReply(200, h, data);
    }
}
