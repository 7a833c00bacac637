package dev.imagefn.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** How the transport of a stored reference is chosen: the threshold, its default, and who Gemini can reach. */
class ReferenceTransportTest {
    private static final long MIB4 = 4L << 20;
    /** A table instead of DNS; any other name does not resolve. */
    private static final ReferenceTransport.Resolver DNS = host -> {
        Map<String, String[]> table = Map.of(
                "s3.eu-west-1.amazonaws.com", new String[] {"52.218.0.1"},
                "minio", new String[] {"172.18.0.2"},
                "store.corp.example", new String[] {"10.20.30.40"},
                "half.example", new String[] {"52.95.110.1", "192.168.0.9"},
                "r2.example", new String[] {"2606:4700::6810:84e5"});
        String[] ips = table.get(host);
        if (ips == null) {
            throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[ips.length];
        for (int i = 0; i < ips.length; i++) {
            out[i] = InetAddress.ofLiteral(ips[i]);
        }
        return out;
    };

    private static ReferenceTransport defaultFor(String endpoint) {
        return ReferenceTransport.of(Optional.empty(), Optional.of(URI.create(endpoint)), DNS);
    }

    @Test
    void onAwsS3TheDefaultIsFourMebibytesAtOrAbove() {
        ReferenceTransport t = ReferenceTransport.of(Optional.empty(), Optional.empty(), DNS);
        assertEquals(MIB4, t.threshold());
        assertFalse(t.byUrl(MIB4 - 1));
        assertTrue(t.byUrl(MIB4));
        assertFalse(t.never());
    }

    @ParameterizedTest
    @ValueSource(strings = {"https://s3.eu-west-1.amazonaws.com", "https://52.95.110.1:443", "https://[2600:1f18::1]",
            "https://172.32.0.1", "https://100.128.0.1", "https://r2.example/", "https://S3.EU-WEST-1.AMAZONAWS.COM"})
    void aPublicHttpsEndpointKeepsTheDefault(String endpoint) {
        assertTrue(ReferenceTransport.fetchableByGemini(URI.create(endpoint), DNS), endpoint);
        assertEquals(MIB4, defaultFor(endpoint).threshold());
    }

    @ParameterizedTest
    @ValueSource(strings = {
            // loopback, IPv4 and IPv6, names and literals
            "https://127.0.0.1:9000", "https://127.5.6.7", "https://localhost:9000", "https://minio.localhost",
            "https://[::1]:9000", "https://[0:0:0:0:0:0:0:1]", "https://[::ffff:127.0.0.1]", "https://[::127.0.0.1]",
            // private, link-local, unique local, carrier-grade NAT, unspecified
            "https://10.0.0.5", "https://172.16.3.4", "https://172.31.255.255", "https://192.168.1.10",
            "https://169.254.169.254", "https://100.64.0.1", "https://0.0.0.0", "https://[::]", "https://[fd12:3456::1]",
            "https://[fc00::1]", "https://[fe80::1]", "https://[fec0::1]", "https://[::ffff:10.1.2.3]",
            // names that resolve to private addresses, or only partly public, or not at all
            "https://minio:9000", "https://store.corp.example", "https://half.example", "https://unresolvable.example",
            // Gemini takes HTTPS URLs only
            "http://s3.eu-west-1.amazonaws.com", "http://52.95.110.1"})
    void anEndpointGeminiCannotFetchFromMakesTheDefaultNever(String endpoint) {
        assertFalse(ReferenceTransport.fetchableByGemini(URI.create(endpoint), DNS), endpoint);
        ReferenceTransport t = defaultFor(endpoint);
        assertTrue(t.never(), endpoint);
        assertFalse(t.byUrl(Long.MAX_VALUE), endpoint);
    }

    @Test
    void anExplicitThresholdWinsOverTheEndpoint() {
        ReferenceTransport local = ReferenceTransport.of(Optional.of(1000L),
                Optional.of(URI.create("http://127.0.0.1:9000")), DNS);
        assertFalse(local.byUrl(999));
        assertTrue(local.byUrl(1000));
        ReferenceTransport neverOnAws = ReferenceTransport.of(Optional.of(-1L), Optional.empty(), DNS);
        assertTrue(neverOnAws.never());
        assertFalse(neverOnAws.byUrl(Long.MAX_VALUE));
    }

    @Test
    void zeroIsAlwaysByUrlEvenForAnEmptyObject() {
        ReferenceTransport always = ReferenceTransport.of(Optional.of(0L), Optional.of(URI.create("http://[::1]:1")),
                DNS);
        assertFalse(always.never());
        assertTrue(always.byUrl(0));
        assertTrue(always.byUrl(1));
    }

    @Test
    void aThresholdBelowMinusOneIsRefused() {
        var e = assertThrows(IllegalStateException.class, () -> ReferenceTransport.of(Optional.of(-2L),
                Optional.empty(), DNS));
        assertTrue(e.getMessage().contains("imagefn.gemini.reference-url-threshold"), e.getMessage());
    }

    @Test
    void theUrlLivesForTheRestOfTheCallAndAMinuteMoreAtMostSevenDays() {
        Duration ttl = ReferenceTransport.urlTtl(Deadline.after(Duration.ofMinutes(10)));
        assertTrue(ttl.compareTo(Duration.ofSeconds(10 * 60 + 58)) >= 0 && ttl.compareTo(Duration.ofMinutes(11)) <= 0,
                ttl.toString());
        assertEquals(Duration.ofMinutes(1), ReferenceTransport.urlTtl(new Deadline(0)));
        assertEquals(Duration.ofDays(7), ReferenceTransport.urlTtl(Deadline.after(Duration.ofDays(30))));
    }
}
