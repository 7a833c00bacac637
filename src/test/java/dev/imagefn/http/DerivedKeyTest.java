package dev.imagefn.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A delivery's identity becomes an idempotency key the validator accepts, whatever characters it holds. */
class DerivedKeyTest {

    @Test
    void cleanShortIdentitiesAreKeptAndOthersHashed() {
        assertEquals("sqs:0e9a1b2c", HttpFunction.derivedKey("sqs:0e9a1b2c"));
        assertTrue(HttpFunction.derivedKey("s3:s3://in/uploads/a\u202egnp.exe@1").startsWith("sha256:"));
        assertTrue(HttpFunction.derivedKey("cloudevent:/src#\u0085").startsWith("sha256:"));
        assertTrue(HttpFunction.derivedKey("x".repeat(257)).startsWith("sha256:"));
    }
}
