package dev.imagefn.core;

import dev.imagefn.config.ImagefnConfig;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Whether a stored reference image goes to Gemini as a presigned URL or inline, by its size
 * ({@code imagefn.gemini.reference-url-threshold}; README, "Reference images by URL").
 */
public final class ReferenceTransport {
    public static final long DEFAULT_THRESHOLD = 4L << 20;
    public static final long NEVER = -1;
    static final Duration URL_MARGIN = Duration.ofMinutes(1);
    /** S3's longest presigned URL. */
    static final Duration URL_MAX = Duration.ofDays(7);

    /** Host name to addresses: DNS in production, a table in tests. */
    @FunctionalInterface
    public interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

    private final long threshold;
    private final String reason;

    private ReferenceTransport(long threshold, String reason) {
        this.threshold = threshold;
        this.reason = reason;
    }

    public static ReferenceTransport of(ImagefnConfig config) {
        return of(config.gemini().referenceUrlThreshold(), config.storage().endpoint(), InetAddress::getAllByName);
    }

    /** An explicit threshold wins; unset, the default, or never when Gemini could not fetch from the endpoint. */
    public static ReferenceTransport of(Optional<Long> explicit, Optional<URI> endpoint, Resolver resolver) {
        if (explicit.isPresent()) {
            long t = explicit.get();
            if (t < NEVER) {
                throw new IllegalStateException("imagefn.gemini.reference-url-threshold must be -1 (never by URL), 0 "
                        + "(always) or a size in bytes, not " + t);
            }
            return new ReferenceTransport(t, "imagefn.gemini.reference-url-threshold");
        }
        if (endpoint.isPresent() && !fetchableByGemini(endpoint.get(), resolver)) {
            return new ReferenceTransport(NEVER, "the storage endpoint is not a public HTTPS address Gemini can fetch from");
        }
        return new ReferenceTransport(DEFAULT_THRESHOLD, "the default");
    }

    public long threshold() {
        return threshold;
    }

    /** Where the threshold came from, for the start-up log. */
    public String reason() {
        return reason;
    }

    public boolean never() {
        return threshold < 0;
    }

    public boolean byUrl(long bytes) {
        return threshold >= 0 && bytes >= threshold;
    }

    /** Long enough for every attempt of the call (the body, URL included, is sent again on a retry), no longer. */
    public static Duration urlTtl(Deadline deadline) {
        Duration ttl = deadline.remaining().plus(URL_MARGIN);
        return ttl.compareTo(URL_MAX) > 0 ? URL_MAX : ttl;
    }

    /**
     * Gemini takes public or presigned HTTPS URLs: an {@code http} endpoint, or one whose host is (or resolves only
     * to) a loopback, private, link-local or otherwise internal address, is not one Gemini can reach.
     */
    static boolean fetchableByGemini(URI endpoint, Resolver resolver) {
        String host = endpoint.getHost();
        if (!"https".equalsIgnoreCase(endpoint.getScheme()) || host == null || host.isEmpty()) {
            return false;
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        String name = host.toLowerCase(Locale.ROOT);
        if (name.equals("localhost") || name.endsWith(".localhost")) {
            return false;
        }
        InetAddress[] addresses;
        try {
            addresses = new InetAddress[] {InetAddress.ofLiteral(name)};
        } catch (IllegalArgumentException notLiteral) {
            try {
                addresses = resolver.resolve(name);
            } catch (UnknownHostException | RuntimeException e) {
                return false;
            }
        }
        return addresses.length > 0 && Arrays.stream(addresses).noneMatch(ReferenceTransport::internal);
    }

    static boolean internal(InetAddress a) {
        if (a.isLoopbackAddress() || a.isAnyLocalAddress() || a.isLinkLocalAddress() || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return true;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            // 0.0.0.0/8 "this network"; 100.64.0.0/10 carrier-grade NAT
            return first == 0 || (first == 100 && second >= 64 && second < 128);
        }
        if (a instanceof Inet6Address v6) {
            if ((b[0] & 0xfe) == 0xfc) {
                return true; // fc00::/7 unique local
            }
            if (v6.isIPv4CompatibleAddress()) {
                try {
                    return internal(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
                } catch (UnknownHostException e) {
                    return true;
                }
            }
        }
        return false;
    }
}
