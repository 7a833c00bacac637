package dev.imagefn.delivery.http;

import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Hashes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The optional inbound bearer token ({@code imagefn.auth.token}). Both sides are hashed first, so the
 * comparison takes the same time whatever the token and its length.
 */
@ApplicationScoped
public class BearerToken {
    private final Optional<byte[]> expected;

    @Inject
    public BearerToken(ImagefnConfig config) {
        this.expected = config.auth().token().filter(t -> !t.isBlank()).map(BearerToken::digest);
    }

    public boolean required() {
        return expected.isPresent();
    }

    /** True when no token is configured or {@code authorizationHeader} carries the right one. */
    public boolean accepts(String authorizationHeader) {
        if (expected.isEmpty()) {
            return true;
        }
        String h = authorizationHeader;
        String token = h != null && h.regionMatches(true, 0, "Bearer ", 0, 7) ? h.substring(7).strip() : "";
        return MessageDigest.isEqual(expected.get(), digest(token));
    }

    private static byte[] digest(String token) {
        return Hashes.sha256().digest(token.getBytes(StandardCharsets.UTF_8));
    }
}
