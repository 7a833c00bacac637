package dev.imagefn.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageResult;
import dev.imagefn.json.EventJson;
import dev.imagefn.json.ProblemJson;
import dev.imagefn.json.ResultJson;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * {@code POST /}: CloudEvents 1.0 over HTTP (Knative Eventing, Eventarc, Cloud Run). Success answers with a
 * binary-mode {@code dev.imagefn.image.generated} event; a permanent (4xx) failure with a
 * {@code dev.imagefn.image.failed} event and status 200, so brokers do not retry it; a retryable failure
 * (429, 5xx) with that status, so the broker's delivery policy retries. A redelivered event (same source
 * and id) pays once: without an {@code idempotencyKey} of its own, it is derived from them.
 */
@Path("/")
public class CloudEventsResource {
    public static final String REQUESTED = "dev.imagefn.image.requested";
    public static final String GENERATED = "dev.imagefn.image.generated";
    public static final String FAILED = "dev.imagefn.image.failed";

    private final ImagePipeline pipeline;
    private final EventJson events;
    private final ImagefnConfig config;

    @Inject
    public CloudEventsResource(ImagePipeline pipeline, ImagefnConfig config) {
        this.pipeline = pipeline;
        this.config = config;
        this.events = new EventJson(config.limits().maxBodyBytes(), config.limits().maxReferenceBytes());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response receive(InputStream body, @Context HttpHeaders headers) {
        String requestId = RequestIds.accept(headers.getHeaderString(RequestIds.HEADER));
        CloudEvent event;
        try {
            byte[] bytes = HttpCalls.readBounded(body, config.limits().maxBodyBytes());
            event = CloudEventBinding.fromHttp(headers::getHeaderString, bytes);
            if (!REQUESTED.equals(event.type())) {
                throw ImageFnException.invalid("CloudEvent type '" + event.type() + "' is not handled; send "
                        + REQUESTED);
            }
        } catch (ImageFnException e) {
            return ProblemMapper.problem(e, requestId);
        }
        try {
            ImageRequest request = withDefaultIdempotencyKey(events.read(event.data()), event);
            ImageResult result = pipeline.run(request, requestId,
                    HttpCalls.deadline(config, headers.getHeaderString(HttpCalls.TIMEOUT_HEADER)));
            return reply(GENERATED, result.key(), MediaType.APPLICATION_JSON, ResultJson.write(result), requestId);
        } catch (ImageFnException e) {
            int status = e.code().status();
            if (status >= 400 && status < 500 && status != 429) {
                return reply(FAILED, event.id(), ProblemJson.MEDIA_TYPE, ProblemJson.write(e, requestId), requestId);
            }
            return ProblemMapper.problem(e, requestId);
        }
    }

    private static ImageRequest withDefaultIdempotencyKey(ImageRequest r, CloudEvent event) {
        if (r.idempotencyKey() != null) {
            return r;
        }
        String derived = "cloudevent:" + event.source() + "#" + event.id();
        return r.withIdempotencyKey(derived.length() <= 256 ? derived
                : "cloudevent-sha256:" + dev.imagefn.core.Hashes.sha256Hex(derived));
    }

    private Response reply(String type, String subject, String contentType, byte[] data, String requestId) {
        return Response.ok(data, contentType)
                .header("ce-specversion", CloudEvent.SPEC_VERSION)
                .header("ce-id", UUID.randomUUID().toString())
                .header("ce-source", config.events().source())
                .header("ce-type", type)
                .header("ce-subject", CloudEventBinding.encode(subject))
                .header("ce-time", OffsetDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ISO_OFFSET_DATE_TIME))
                .header(RequestIds.HEADER, requestId)
                .build();
    }
}
