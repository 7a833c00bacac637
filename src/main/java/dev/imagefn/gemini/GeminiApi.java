package dev.imagefn.gemini;

import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * The one Gemini endpoint imagefn calls. Returns {@link Response} so the REST client hands over the body
 * as a stream instead of collecting it into one buffer first (quarkus#48755).
 */
@Path("/v1beta/models")
public interface GeminiApi {

    @POST
    @Path("/{model}:generateContent")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    Response generateContent(@PathParam("model") String model, @HeaderParam("x-goog-api-key") String apiKey,
            byte[] body);
}
