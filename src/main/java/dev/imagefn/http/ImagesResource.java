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
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;

/** {@code POST /v1/images}: the event in, the result out (DESIGN §10). */
@Path("/v1/images")
public class ImagesResource {
    static final String TIMEOUT_HEADER = "X-Timeout-Ms";
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
    public Response generate(InputStream body, @HeaderParam("X-Request-Id") String requestIdHeader,
            @HeaderParam(TIMEOUT_HEADER) String timeoutHeader) {
        String requestId = RequestIds.accept(requestIdHeader);
        try {
            Deadline deadline = deadline(timeoutHeader);
            ImageRequest request = events.read(Bodies.readBounded(body, config.limits().maxBodyBytes()));
            ImageResult result = pipeline.run(request, requestId, deadline);
            return Response.ok(ResultJson.write(result), MediaType.APPLICATION_JSON_TYPE)
                    .header(RequestIds.HEADER, requestId)
                    .build();
        } catch (ImageFnException e) {
            return ProblemMapper.problem(e, requestId);
        }
    }

    /** The configured deadline, shortened by the caller's {@code X-Timeout-Ms} (e.g. a gateway's own limit). */
    private Deadline deadline(String timeoutHeader) {
        Deadline deadline = Deadline.after(config.gemini().deadline());
        if (timeoutHeader == null || timeoutHeader.isBlank()) {
            return deadline;
        }
        try {
            long ms = Long.parseLong(timeoutHeader.strip());
            if (ms <= 0) {
                throw new NumberFormatException();
            }
            return deadline.atMost(Duration.ofMillis(ms));
        } catch (NumberFormatException e) {
            throw ImageFnException.invalid(TIMEOUT_HEADER + " must be a positive number of milliseconds");
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
