package dev.imagefn.http;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.delivery.http.HttpApi;
import dev.imagefn.delivery.http.HttpReply;
import dev.imagefn.delivery.http.RequestIds;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/** Failures that escape the routes, as {@code application/problem+json} (RFC 9457, README, Errors). */
public class ProblemMapper {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class);

    @ServerExceptionMapper
    public Response map(ImageFnException e, HttpHeaders headers, UriInfo uri) {
        return ImagesResource.toResponse(HttpApi.problemOn(path(uri), e, requestId(headers)));
    }

    @ServerExceptionMapper
    public Response map(WebApplicationException e, HttpHeaders headers, UriInfo uri) {
        int status = e.getResponse().getStatus();
        ErrorCode code = switch (status) {
            case 401 -> ErrorCode.UNAUTHORIZED;
            case 404 -> ErrorCode.NOT_FOUND;
            case 405 -> ErrorCode.METHOD_NOT_ALLOWED;
            case 413 -> ErrorCode.PAYLOAD_TOO_LARGE;
            default -> status < 500 ? ErrorCode.INVALID_REQUEST : ErrorCode.INTERNAL;
        };
        HttpReply reply = HttpApi.problemOn(path(uri), new ImageFnException(code, e.getMessage()), requestId(headers));
        String allow = e.getResponse().getHeaderString(HttpHeaders.ALLOW);
        if (status == 405 && allow == null && uri != null && HttpApi.isRoute(path(uri))) {
            allow = HttpApi.ALLOW;
        }
        // A route of the framework's own (GET /q/openapi, say) says what it allows.
        return ImagesResource.toResponse(status == 405 && allow != null ? reply.with("Allow", allow) : reply);
    }

    @ServerExceptionMapper
    public Response map(RuntimeException e, HttpHeaders headers, UriInfo uri) {
        String requestId = requestId(headers);
        LOG.errorf(e, "request %s failed unexpectedly", requestId);
        return ImagesResource.toResponse(HttpApi.problemOn(path(uri), new ImageFnException(ErrorCode.INTERNAL,
                "internal error; see the logs for request " + requestId), requestId));
    }

    private static String path(UriInfo uri) {
        return uri == null ? "/" : "/" + uri.getPath().replaceFirst("^/+", "");
    }

    private static String requestId(HttpHeaders headers) {
        return RequestIds.accept(headers == null ? null : headers.getHeaderString(RequestIds.HEADER));
    }
}
