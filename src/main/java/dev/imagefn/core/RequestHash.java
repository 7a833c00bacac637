package dev.imagefn.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.TreeMap;

/**
 * The fingerprint of what a job would generate: everything that changes the image or where it goes, nothing that
 * only changes the answer ({@code presign}) or the request's identity. The same idempotency key with another
 * fingerprint is a conflict, not a reuse.
 */
public final class RequestHash {
    private RequestHash() {
    }

    public static String of(ImageJob job) {
        MessageDigest d = Hashes.sha256();
        field(d, "model", job.model().id());
        field(d, "prompt", job.prompt());
        field(d, "aspectRatio", job.aspectRatio());
        field(d, "tier", job.tier());
        field(d, "thinking", job.thinkingLevel());
        field(d, "grounding", Boolean.toString(job.grounding()));
        field(d, "seed", job.seed() == null ? null : job.seed().toString());
        field(d, "includeText", Boolean.toString(job.includeText()));
        field(d, "key", job.explicitKey());
        for (ReferenceImage r : job.references()) {
            field(d, "reference", switch (r) {
                case ReferenceImage.Stored s -> s.uri();
                case ReferenceImage.Inline in -> "sha256:" + HexFormat.of().formatHex(Hashes.sha256(in.data(),
                        in.data().length));
            });
        }
        new TreeMap<>(job.metadata()).forEach((k, v) -> field(d, "metadata." + k, v));
        return HexFormat.of().formatHex(d.digest());
    }

    /** Length-prefixed, so no two different jobs can write the same bytes. */
    private static void field(MessageDigest d, String name, String value) {
        byte[] n = name.getBytes(StandardCharsets.UTF_8);
        byte[] v = value == null ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
        d.update((n.length + ":" + (value == null ? -1 : v.length) + ":").getBytes(StandardCharsets.UTF_8));
        d.update(n);
        d.update(v);
    }
}
