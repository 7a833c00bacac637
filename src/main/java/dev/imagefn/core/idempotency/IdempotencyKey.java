package dev.imagefn.core.idempotency;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * A key in its namespace. A caller's {@code idempotencyKey} and the identities of deliveries (a CloudEvent's source
 * and id, an SQS message id, an object's bucket, key and ETag) never share a namespace, so no caller can claim a
 * delivery's record in advance.
 */
public record IdempotencyKey(String namespace, String key) {

    /** An {@code idempotencyKey} a caller chose. */
    public static IdempotencyKey caller(String key) {
        return new IdempotencyKey("caller", key);
    }

    /** The identity of a delivery of kind {@code kind} ({@code cloudevent}, {@code sqs}, {@code object}). */
    public static IdempotencyKey delivery(String kind, String identity) {
        return new IdempotencyKey("delivery/" + kind, identity);
    }

    /** The record's name: a hash, so neither the key nor its namespace appears in the store. */
    public String recordId() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest((namespace + "\n" + key).getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
