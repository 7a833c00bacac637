package dev.imagefn.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImagePipeline;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.ImageResult;
import dev.imagefn.json.EventJson;
import dev.imagefn.json.ResultJson;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;

/** {@code POST /v1/images}: the event in, the result out (DESIGN §10). */
@Path("/v1/images")
public class ImagesResource {
    private final ImagePipeline pipeline;
    private final EventJson events;
    private final ImagefnConfig config;

    @Inject
    public ImagesResource(ImagePipeline pipeline, ImagefnConfig config) {
        this.pipeline = pipeline;
        this.config = config;
        this.events = new EventJson(config.limits().maxBodyBytes(), config.limits().maxReferenceBytes());
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    public Response generate(InputStream body, @HeaderParam(RequestIds.HEADER) String requestIdHeader,
            @HeaderParam(HttpCalls.TIMEOUT_HEADER) String timeoutHeader) {
        String requestId = RequestIds.accept(requestIdHeader);
        try {
            Deadline deadline = HttpCalls.deadline(config, timeoutHeader);
            ImageRequest request = events.read(HttpCalls.readBounded(body, config.limits().maxBodyBytes()));
            ImageResult result = pipeline.run(request, requestId, deadline);
            return Response.ok(ResultJson.write(result), MediaType.APPLICATION_JSON_TYPE)
                    .header(RequestIds.HEADER, requestId)
                    .build();
        } catch (ImageFnException e) {
            return ProblemMapper.problem(e, requestId);
        }
    }
}
