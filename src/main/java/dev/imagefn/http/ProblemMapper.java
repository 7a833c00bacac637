package dev.imagefn.http;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Every failure of the HTTP trigger as {@code application/problem+json} (RFC 9457, DESIGN §6). */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response map(ImageFnException e) {
        return problem(e, null);
    }

    @ServerExceptionMapper
    public Response map(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status < 500 ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL;
        };
        if (status == 404 || status == 405 || status == 406 || status == 415) {
            return e.getResponse();
        }
        return problem(new ImageFnException(code, e.getMessage()), null);
    }

    @ServerExceptionMapper
    public Response map(RuntimeException e) {
        String requestId = RequestIds.accept(null);
        LOG.errorf(e, "request %s failed unexpectedly", requestId);
        return problem(new ImageFnException(ErrorCode.INTERNAL, "internal error; see the logs for request "
                + requestId), requestId);
    }

    public static Response problem(ImageFnException e, String requestId) {
        return ImagesResource.toResponse(HttpFunction.problem(e, requestId));
    }

    static void log(ImageFnException e, String requestId) {
        if (e.code().status() >= 500) {
            LOG.warnf("request %s failed: %s %s", requestId, e.code(), e.detail());
        } else {
            LOG.debugf("request %s rejected: %s %s", requestId, e.code(), e.detail());
        }
    }
}
