package dev.imagefn.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.delivery.http.HttpApi;
import dev.imagefn.delivery.http.RequestIds;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/** {@code POST /v1/batches:poll}: the batch poll over HTTP (README, Batch mode); bearer auth as on every route. */
@Path("/v1/batches:poll")
public class BatchesResource {
    private final HttpApi api;
    private final ImagefnConfig config;

    @Inject
    public BatchesResource(HttpApi api, ImagefnConfig config) {
        this.api = api;
        this.config = config;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response poll(@Context HttpHeaders headers) {
        return ImagesResource.toResponse(api.poll(RequestIds.accept(headers.getHeaderString(RequestIds.HEADER)),
                Deadline.after(config.gemini().deadline())));
    }
}
