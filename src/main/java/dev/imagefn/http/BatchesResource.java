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
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.ParameterIn;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

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
    @Operation(operationId = "pollBatches", summary = "Poll the pending Gemini batch jobs and store what is done",
            description = "No body. The schedule's job (README, Batch mode), callable by hand.")
    @Parameter(name = RequestIds.HEADER, in = ParameterIn.HEADER, description = "Echoed; a fresh one when absent "
            + "or not [A-Za-z0-9._:-]{1,128}", schema = @Schema(type = SchemaType.STRING))
    @APIResponse(responseCode = "200", description = "The jobs seen, the results stored and the entries failed",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(ref = "BatchPoll")),
            headers = @Header(name = RequestIds.HEADER, schema = @Schema(type = SchemaType.STRING)))
    public Response poll(@Context HttpHeaders headers) {
        return ImagesResource.toResponse(api.poll(RequestIds.accept(headers.getHeaderString(RequestIds.HEADER)),
                Deadline.after(config.gemini().deadline())));
    }
}
