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

/**
 * Quarkus REST routes onto {@link HttpApi}: {@code POST /v1/images}, {@code POST /} (CloudEvents) and
 * {@code POST /v1/images/generations} (OpenAI Images API).
 */
@Path("/")
public class ImagesResource {
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
    public Response images(InputStream body, @Context HttpHeaders headers) {
        return toResponse(api.images(headers::getHeaderString, body, requestId(headers), deadline()));
    }

    @POST
    @Path("v1/images/generations")
    @Consumes(MediaType.WILDCARD)
    public Response openAiGenerations(InputStream body, @Context HttpHeaders headers) {
        return toResponse(openAi.generations(headers::getHeaderString, body, requestId(headers), deadline()));
    }

    @POST
    @Consumes(MediaType.WILDCARD)
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
