package dev.imagefn.delivery.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.delivery.BatchPolls;
import dev.imagefn.delivery.CloudEvent;
import dev.imagefn.delivery.Deliveries;
import dev.imagefn.delivery.Delivery;
import dev.imagefn.delivery.EventBodies;
import dev.imagefn.delivery.JobTelemetry;
import dev.imagefn.delivery.Outcome;
import dev.imagefn.delivery.StorageObjects;
import dev.imagefn.json.EventJson;
import dev.imagefn.json.ProblemJson;
import dev.imagefn.json.ResultJson;
import io.opentelemetry.context.Scope;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The HTTP API of the function, whatever server carries it (the Quarkus REST routes, an API Gateway or function
 * URL event):
 * <ul>
 * <li>{@code POST /v1/images}: the event in, the result out, RFC 9457 problems whose {@code retryable} is the
 * failure's disposition;
 * <li>{@code POST /}: CloudEvents 1.0. Done: a binary-mode {@code dev.imagefn.image.generated} event. A failure that
 * must not come again (refused, or paid and failed): status 200 with a {@code dev.imagefn.image.failed} event, so the
 * broker does not redeliver it. A transient failure: its 429/5xx status, so the broker's delivery policy retries; a
 * redelivered event (same source and id) never pays twice. A Cloud Storage "finalized" event runs the upload
 * pipeline, after the same authorisation as every route;
 * <li>{@code POST /v1/images/generations}: the OpenAI Images API ({@link OpenAiImages}).
 * </ul>
 */
@ApplicationScoped
public class HttpApi {
    private static final Logger LOG = Logger.getLogger(HttpApi.class);
    private static final String JSON = "application/json";
    /** The OpenAI Images API route ({@link OpenAiImages}). */
    public static final String OPENAI_PATH = "/v1/images/generations";
    private static final JsonFactory JSON_FACTORY = new JsonFactory();

    private final Deliveries deliveries;
    private final StorageObjects objects;
    private final EventJson events;
    private final ImagefnConfig config;
    private final BearerToken token;
    private final JobTelemetry telemetry;
    private final BatchPolls polls;
    private static final String POLL_PATH = "/v1/batches:poll";
    private static final String HEALTH_PATH = "/q/health";
    /** RFC 9110 §15.5.6: what a 405 on a route here names; every route takes POST only. */
    public static final String ALLOW = "POST";
    @Inject
    OpenAiImages openAi;

    @Inject
    public HttpApi(Deliveries deliveries, StorageObjects objects, ImagefnConfig config, BearerToken token,
            JobTelemetry telemetry, BatchPolls polls) {
        this.telemetry = telemetry;
        this.polls = polls;
        this.deliveries = deliveries;
        this.objects = objects;
        this.config = config;
        this.token = token;
        this.events = new EventJson(config.limits());
    }

    /** Routes a whole request, authorisation included (the REST server does routing and auth itself). */
    public HttpReply route(String method, String path, Function<String, String> header, byte[] body, Deadline base) {
        return route(method, path, header, body, base, false, Long.MAX_VALUE);
    }

    /**
     * {@link #route(String, String, Function, byte[], Deadline)}; {@code signedByAws}: AWS has already verified the
     * caller's SigV4 signature (a function URL or an HTTP API route with IAM auth), whose {@code Authorization}
     * header is the signature, so no bearer token is asked for; {@code maxAnswerBytes}: the largest answer the
     * carrier can give (an OpenAI {@code b64_json} answer over it is given as urls).
     */
    public HttpReply route(String method, String path, Function<String, String> header, byte[] body, Deadline base,
            boolean signedByAws, long maxAnswerBytes) {
        String requestId = RequestIds.accept(header.apply(RequestIds.HEADER));
        String p = path == null || path.isEmpty() ? "/" : path;
        if (p.startsWith(HEALTH_PATH)) {
            return new HttpReply(200, Map.of("Content-Type", JSON),
                    "{\"status\":\"UP\",\"checks\":[]}".getBytes(StandardCharsets.UTF_8));
        }
        boolean openAiRoute = isOpenAiRoute(p);
        if (!isRoute(p)) {
            return problem(new ImageFnException(ErrorCode.NOT_FOUND, "no route for " + cut(p)
                    + "; use POST /v1/images or POST / (CloudEvents)"), requestId);
        }
        if (!"POST".equalsIgnoreCase(method)) {
            return problemOn(p, new ImageFnException(ErrorCode.METHOD_NOT_ALLOWED, cut(method) + " is not allowed on "
                    + cut(p) + "; use POST"), requestId).with("Allow", ALLOW);
        }
        if (!signedByAws && !token.accepts(header.apply("Authorization"))) {
            return openAiRoute ? OpenAiErrors.unauthorized(header.apply("Authorization") == null, requestId)
                    : unauthorized(header.apply("Authorization") == null, requestId);
        }
        InputStream in = new ByteArrayInputStream(body);
        Function<String, String> withLength = h -> h.equalsIgnoreCase("Content-Length")
                ? Integer.toString(body.length) : header.apply(h);
        // No HTTP server here (API Gateway, function URLs): the trace headers of the request are read here.
        try (Scope ignored = telemetry.enter(traceHeaders(header))) {
            if (p.equals(POLL_PATH)) {
                return poll(requestId, base);
            }
            if (openAiRoute) {
                return openAi.generations(withLength, in, requestId, base, maxAnswerBytes);
            }
            return p.equals("/") ? cloudEvent(withLength, in, requestId, base)
                    : images(withLength, in, requestId, base);
        }
    }

    /** A path this API answers, its health check included. */
    public static boolean answers(String p) {
        return isRoute(p) || p.startsWith(HEALTH_PATH);
    }

    /** The OpenAI-compatible route, whose every failure is in OpenAI's error shape. */
    public static boolean isOpenAiRoute(String p) {
        return OPENAI_PATH.equals(p) || (OPENAI_PATH + "/").equals(p);
    }

    /** A failure on {@code path}: OpenAI's error shape on its route, a problem document everywhere else. */
    public static HttpReply problemOn(String path, ImageFnException e, String requestId) {
        return isOpenAiRoute(path) ? OpenAiErrors.reply(e, requestId) : problem(e, requestId);
    }

    /** A path this API answers (the health path aside). */
    public static boolean isRoute(String p) {
        return p.equals("/") || p.equals("/v1/images") || p.equals("/v1/images/") || p.equals(POLL_PATH)
                || isOpenAiRoute(p);
    }

    private static Map<String, String> traceHeaders(Function<String, String> header) {
        Map<String, String> out = new HashMap<>();
        for (String name : JobTelemetry.W3C_FIELDS) {
            String v = header.apply(name);
            if (v != null) {
                out.put(name, v);
            }
        }
        String xray = header.apply(JobTelemetry.XRAY_HEADER);
        if (xray != null) {
            out.put(JobTelemetry.XRAY_HEADER, xray);
        }
        return out;
    }

    /** {@code POST /v1/batches:poll}: the batch poll (README, Batch mode); the body is not read. */
    public HttpReply poll(String requestId, Deadline deadline) {
        try {
            return new HttpReply(200, Map.of("Content-Type", JSON, RequestIds.HEADER, requestId),
                    polls.poll(requestId, deadline));
        } catch (ImageFnException e) {
            return problem(e, requestId);
        }
    }

    public HttpReply images(Function<String, String> header, InputStream body, String requestId, Deadline base) {
        try {
            Deadline deadline = HttpCalls.deadline(base, header.apply(HttpCalls.TIMEOUT_HEADER));
            InputStream in = bounded(header, body);
            Outcome o = deliveries.run(Delivery.call("http", requestId, deadline), () -> events.read(in));
            if (o.result() != null) {
                return new HttpReply(200, Map.of("Content-Type", JSON, RequestIds.HEADER, requestId),
                        ResultJson.write(o.result()));
            }
            return problem(o.error(), requestId);
        } catch (ImageFnException e) {
            return problem(e, requestId);
        }
    }

    public HttpReply cloudEvent(Function<String, String> header, InputStream body, String requestId, Deadline base) {
        CloudEvent event;
        Deadline deadline;
        Map<String, String> trace;
        try {
            deadline = HttpCalls.deadline(base, header.apply(HttpCalls.TIMEOUT_HEADER));
            byte[] bytes = HttpCalls.readAll(bounded(header, body));
            event = CloudEventsHttp.fromHttp(header, bytes);
            trace = EventTrace.of(header, bytes);
        } catch (ImageFnException e) {
            return problem(e, requestId);
        }
        try (Scope ignored = telemetry.enter(trace)) {
            return cloudEvent(event, requestId, deadline);
        }
    }

    private HttpReply cloudEvent(CloudEvent event, String requestId, Deadline deadline) {
        if (CloudEvent.GCS_FINALIZED.equals(event.type())) {
            HttpReply reply = storageEvent(event, requestId, deadline);
            deliveries.endOfInvocation(deadline);
            return reply;
        }
        if (BatchPolls.POLL_TYPE.equals(event.type())) {
            return poll(requestId, deadline);
        }
        if (!CloudEvent.REQUESTED.equals(event.type())) {
            return problem(ImageFnException.invalid("CloudEvent type '" + cut(event.type()) + "' is not handled; send "
                    + CloudEvent.REQUESTED), requestId);
        }
        Delivery delivery = new Delivery("cloudevent", event.source() + "#" + event.id(),
                EventBodies.identityOf(event), null, requestId, deadline);
        return eventReply(event, deliveries.run(delivery, () -> events.read(event.data())), requestId);
    }

    /** A Cloud Storage object was finalized: a job file or an upload, like an S3 ObjectCreated. */
    private HttpReply storageEvent(CloudEvent event, String requestId, Deadline deadline) {
        Map<String, String> data = new HashMap<>();
        try (JsonParser p = JSON_FACTORY.createParser(event.data())) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new IOException("not an object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                if (p.currentToken().isScalarValue()) {
                    data.put(field, p.getText());
                } else {
                    p.skipChildren();
                }
            }
        } catch (IOException e) {
            return eventReply(event, Outcome.failed(event.id(),
                    ImageFnException.invalid("the storage event's data is not a JSON object")), requestId);
        }
        String bucket = data.get("bucket");
        String name = data.get("name");
        if (bucket == null || name == null) {
            return eventReply(event, Outcome.failed(event.id(),
                    ImageFnException.invalid("the storage event's data needs 'bucket' and 'name'")), requestId);
        }
        String record = "{\"type\":" + quote(event.type()) + ",\"source\":" + quote(event.source()) + ",\"id\":"
                + quote(event.id()) + ",\"bucket\":" + quote(bucket) + ",\"name\":" + quote(name) + "}";
        Outcome o = objects.objectCreated(bucket, name, record, requestId, deadline);
        if (o.skipped() != null) {
            // Acknowledged without a reply event: brokers take an empty 2xx as done.
            return new HttpReply(204, Map.of(RequestIds.HEADER, requestId, "X-Imagefn-Skipped", cut(o.skipped())),
                    new byte[0]);
        }
        return eventReply(event, o, requestId);
    }

    /** The disposition table for CloudEvents: done and final failures answer 200, transient ones their status. */
    private HttpReply eventReply(CloudEvent event, Outcome o, String requestId) {
        if (o.result() != null) {
            return cloudEventReply(CloudEvent.GENERATED, o.result().key(), JSON, ResultJson.write(o.result()),
                    requestId);
        }
        if (o.redeliver()) {
            return problem(o.error(), requestId);
        }
        ProblemLog.log(o.error(), requestId);
        return cloudEventReply(CloudEvent.FAILED, event.id(), ProblemJson.MEDIA_TYPE,
                ProblemJson.write(o.error(), requestId), requestId);
    }

    private InputStream bounded(Function<String, String> header, InputStream body) {
        return HttpCalls.bounded(body, header.apply("Content-Length"), config.limits().maxBodyBytes(),
                config.limits().bodyReadTimeout());
    }

    public HttpReply unauthorized(boolean missing, String requestId) {
        HttpReply p = problem(new ImageFnException(ErrorCode.UNAUTHORIZED,
                missing ? "missing bearer token" : "wrong bearer token"), requestId);
        Map<String, String> headers = new LinkedHashMap<>(p.headers());
        headers.put("WWW-Authenticate", "Bearer");
        return new HttpReply(p.status(), headers, p.body());
    }

    /** The problem document of a failure, with {@code Retry-After} when the failure is worth another try. */
    public static HttpReply problem(ImageFnException e, String requestId) {
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", ProblemJson.MEDIA_TYPE);
        if (requestId != null) {
            headers.put(RequestIds.HEADER, requestId);
        }
        if (e.retryable()) {
            e.retryAfterSeconds().ifPresent(s -> headers.put("Retry-After", Long.toString(s)));
        }
        ProblemLog.log(e, requestId);
        return new HttpReply(e.code().status(), headers, ProblemJson.write(e, requestId));
    }

    private HttpReply cloudEventReply(String type, String subject, String contentType, byte[] data, String requestId) {
        Map<String, String> h = new LinkedHashMap<>();
        h.put("Content-Type", contentType);
        h.put("ce-specversion", CloudEvent.SPEC_VERSION);
        h.put("ce-id", UUID.randomUUID().toString());
        h.put("ce-source", config.events().source());
        h.put("ce-type", type);
        h.put("ce-subject", CloudEventsHttp.encode(subject));
        h.put("ce-time", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
        h.put(RequestIds.HEADER, requestId);
        return new HttpReply(200, h, data);
    }

    private static String cut(String s) {
        if (s == null) {
            return "";
        }
        String printable = s.replaceAll("[^\\x20-\\x7e]", "?");
        return printable.length() <= 64 ? printable : printable.substring(0, 61) + "...";
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

    /** Failures are logged once where they are answered: 5xx as warnings, the rest for debugging. */
    static final class ProblemLog {
        private ProblemLog() {
        }

        static void log(ImageFnException e, String requestId) {
            if (e.code().status() >= 500) {
                LOG.warnf("request %s failed: %s %s", requestId, e.code(), e.detail());
            } else {
                LOG.debugf("request %s refused: %s %s", requestId, e.code(), e.detail());
            }
        }
    }
}
