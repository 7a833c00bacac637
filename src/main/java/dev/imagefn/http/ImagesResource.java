package dev.imagefn.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.delivery.http.HttpApi;
import dev.imagefn.delivery.http.HttpReply;
import dev.imagefn.delivery.http.OpenAiImages;
import dev.imagefn.delivery.http.RequestIds;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.headers.Header;

/**
 * Quarkus REST routes onto {@link HttpApi}: {@code POST /v1/images}, {@code POST /} (CloudEvents) and
 * {@code POST /v1/images/generations} (OpenAI Images API).
 */
@Path("/")
public class ImagesResource {
    /** The operation of {@code POST /v1/images/generations}: OpenAI's own operationId. */
    public static final String OPENAI_OPERATION = "createImage";

    private final HttpApi api;
    private final ImagefnConfig config;
    private final OpenAiImages openAi;

    @Inject
    public ImagesResource(HttpApi api, ImagefnConfig config, OpenAiImages openAi) {
        this.api = api;
        this.config = config;
        this.openAi = openAi;
    }

    @POST
    @Path("v1/images")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "generateImage", summary = "Generate an image from a prompt and store it",
            description = "The event in, the result out; failures are RFC 9457 problems whose retryable is the "
                    + "failure's disposition.")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "ImageEvent")))
    @Parameter(name = RequestIds.HEADER, in = ParameterIn.HEADER, description = "Echoed; a fresh one when absent "
            + "or not [A-Za-z0-9._:-]{1,128}", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "X-Timeout-Ms", in = ParameterIn.HEADER, description = "Shortens the deadline of this call",
            schema = @Schema(type = SchemaType.INTEGER))
    @APIResponse(responseCode = "200", description = "The stored image",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "ImageResult")),
            headers = @Header(name = RequestIds.HEADER, schema = @Schema(type = SchemaType.STRING)))
    public Response images(InputStream body, @Context HttpHeaders headers) {
        return toResponse(api.images(headers::getHeaderString, body, requestId(headers), deadline()));
    }

    @POST
    @Path("v1/images/generations")
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = OPENAI_OPERATION, summary = "OpenAI Images API: generate and store "
            + "images", description = "Each image is one event run like POST /v1/images; errors are in OpenAI's shape "
            + "with x-should-retry (README, OpenAI-compatible endpoint).")
    @RequestBody(required = true, content = @Content(mediaType = MediaType.APPLICATION_JSON,
            schema = @Schema(ref = "OpenAiImageRequest")))
    @Parameter(name = RequestIds.HEADER, in = ParameterIn.HEADER, description = "Echoed; a fresh one when absent "
            + "or not [A-Za-z0-9._:-]{1,128}", schema = @Schema(type = SchemaType.STRING))
    @Parameter(name = "X-Timeout-Ms", in = ParameterIn.HEADER, description = "Shortens the deadline of this call",
            schema = @Schema(type = SchemaType.INTEGER))
    @APIResponse(responseCode = "200", description = "The stored images",
            content = @Content(mediaType = MediaType.APPLICATION_JSON,
                    schema = @Schema(ref = "OpenAiImagesResponse")),
            headers = @Header(name = RequestIds.HEADER, schema = @Schema(type = SchemaType.STRING)))
    public Response openAiGenerations(InputStream body, @Context HttpHeaders headers) {
        return toResponse(openAi.generations(headers::getHeaderString, body, requestId(headers), deadline()));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Operation(operationId = "cloudEvent", summary = "A CloudEvent (binary or structured mode)",
            description = "dev.imagefn.image.requested (data: an ImageEvent) or a Cloud Storage object finalized "
                    + "event. Done: a binary-mode dev.imagefn.image.generated event; a failure that must not come "
                    + "again: 200 with a dev.imagefn.image.failed event; a transient one: its 409/429/5xx problem.")
    @RequestBody(required = true, content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "ImageEvent")),
            @Content(mediaType = "application/cloudevents+json",
                    schema = @Schema(type = SchemaType.OBJECT))})
    @APIResponse(responseCode = "200", description = "ce-type dev.imagefn.image.generated (an ImageResult) or "
            + "dev.imagefn.image.failed (a Problem)", content = {
                    @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "ImageResult")),
                    @Content(mediaType = "application/problem+json", schema = @Schema(ref = "Problem"))})
    @APIResponse(responseCode = "204", description = "A storage event that is no job for the function "
            + "(X-Imagefn-Skipped says why)")
    public Response cloudEvent(InputStream body, @Context HttpHeaders headers) {
        return toResponse(api.cloudEvent(headers::getHeaderString, body, requestId(headers), deadline()));
    }

    private static String requestId(HttpHeaders headers) {
        return RequestIds.accept(headers.getHeaderString(RequestIds.HEADER));
    }

    private Deadline deadline() {
        return Deadline.after(config.gemini().deadline());
    }

    static Response toResponse(HttpReply reply) {
        Response.ResponseBuilder b = Response.status(reply.status()).entity(reply.body());
        reply.headers().forEach(b::header);
        return b.build();
    }
}
