package dev.imagefn.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.Hashes;
import dev.imagefn.core.ImageFnException;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Optional inbound bearer token ({@code imagefn.auth.token}) for the function's own routes; health and
 * metrics stay open. The comparison takes the same time whatever the token.
 */
public class BearerTokenFilter {
    private final Optional<byte[]> expected;

    @Inject
    public BearerTokenFilter(ImagefnConfig config) {
        this.expected = config.auth().token().filter(t -> !t.isBlank()).map(BearerTokenFilter::digest);
    }

    @ServerRequestFilter
    public Optional<Response> check(ContainerRequestContext request) {
        if (expected.isEmpty() || request.getUriInfo().getPath().startsWith("/q/")) {
            return Optional.empty();
        }
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        String token = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).strip()
                : "";
        if (MessageDigest.isEqual(expected.get(), digest(token))) {
            return Optional.empty();
        }
        Response problem = ProblemMapper.problem(new ImageFnException(ErrorCode.UNAUTHORIZED,
                header == null ? "missing bearer token" : "wrong bearer token"),
                RequestIds.accept(request.getHeaderString(RequestIds.HEADER)));
        return Optional.of(Response.fromResponse(problem).header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build());
    }

    private static byte[] digest(String token) {
        return Hashes.sha256().digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
