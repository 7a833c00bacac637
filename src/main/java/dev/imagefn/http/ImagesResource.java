package dev.imagefn.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
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
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
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
    @Produces(MediaType.APPLICATION_JSON)
    public Response generate(InputStream body, @HeaderParam("X-Request-Id") String requestIdHeader) {
        String requestId = RequestIds.accept(requestIdHeader);
        try {
            ImageRequest request = events.read(Bodies.readBounded(body, config.limits().maxBodyBytes()));
            ImageResult result = pipeline.run(request, requestId, Deadline.after(config.gemini().deadline()));
            return Response.ok(ResultJson.write(result), MediaType.APPLICATION_JSON_TYPE)
                    .header(RequestIds.HEADER, requestId)
                    .build();
        } catch (ImageFnException e) {
            return ProblemMapper.problem(e, requestId);
        }
    }

    /** Reads a request body, refusing more than the limit with a 413 problem instead of buffering it all. */
    static final class Bodies {
        private Bodies() {
        }

        static byte[] readBounded(InputStream body, long max) {
            if (body == null) {
                return new byte[0];
            }
            try {
                byte[] data = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
                if (data.length > max) {
                    throw new ImageFnException(ErrorCode.PAYLOAD_TOO_LARGE, "the body is larger than "
                            + max + " bytes");
                }
                return data;
            } catch (IOException e) {
                throw ImageFnException.invalid("the body could not be read: " + e.getMessage());
            }
        }
    }
}
