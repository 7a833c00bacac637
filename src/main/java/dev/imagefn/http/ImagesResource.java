package dev.imagefn.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ImageFnException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.function.Function;

/** Quarkus REST routes onto {@link HttpFunction}: {@code POST /v1/images} and {@code POST /} (CloudEvents). */
@Path("/")
public class ImagesResource {
    private final HttpFunction function;
    private final ImagefnConfig config;

    @Inject
    public ImagesResource(HttpFunction function, ImagefnConfig config) {
        this.function = function;
        this.config = config;
    }

    @POST
    @Path("v1/images")
    @Consumes(MediaType.WILDCARD)
    public Response images(InputStream body, @Context HttpHeaders headers) {
        return answer(body, headers, function::images);
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response cloudEvent(InputStream body, @Context HttpHeaders headers) {
        return answer(body, headers, function::cloudEvent);
    }

    private interface Route {
        HttpReply handle(Function<String, String> header, byte[] body, String requestId, Deadline deadline);
    }

    private Response answer(InputStream body, HttpHeaders headers, Route route) {
        String requestId = RequestIds.accept(headers.getHeaderString(RequestIds.HEADER));
        try {
            return toResponse(route.handle(headers::getHeaderString, read(body), requestId, deadline()));
        } catch (ImageFnException e) {
            return toResponse(HttpFunction.problem(e, requestId));
        }
    }

    private Deadline deadline() {
        return Deadline.after(config.gemini().deadline());
    }

    private byte[] read(InputStream body) {
        return HttpCalls.readBounded(body, config.limits().maxBodyBytes());
    }

    static Response toResponse(HttpReply reply) {
        Response.ResponseBuilder b = Response.status(reply.status()).entity(reply.body());
        reply.headers().forEach(b::header);
        return b.build();
    }
}
