package dev.imagefn.http;

import dev.imagefn.delivery.http.BearerToken;
import dev.imagefn.delivery.http.HttpApi;
import dev.imagefn.delivery.http.OpenAiErrors;
import dev.imagefn.delivery.http.RequestIds;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/** Applies {@link BearerToken} to the function's own routes; health and metrics stay open. */
public class BearerTokenFilter {
    private final BearerToken token;
    private final HttpApi api;

    @Inject
    public BearerTokenFilter(BearerToken token, HttpApi api) {
        this.token = token;
        this.api = api;
    }

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        if (!token.required() || request.getUriInfo().getPath().startsWith("/q/")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (token.accepts(header)) {
            return Optional.empty();
        }
        String requestId = RequestIds.accept(request.getHeaderString(RequestIds.HEADER));
        boolean openAi = request.getUriInfo().getPath().replaceFirst("/$", "").equals(HttpApi.OPENAI_PATH);
        return Optional.of(ImagesResource.toResponse(openAi ? OpenAiErrors.unauthorized(header == null, requestId)
                : api.unauthorized(header == null, requestId)));
    }
}
