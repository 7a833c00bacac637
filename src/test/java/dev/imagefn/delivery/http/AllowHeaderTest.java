package dev.imagefn.delivery.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import org.junit.jupiter.api.Test;

/**
 * A 405's Allow names what the resource takes (RFC 9110 §15.5.6): POST for a route of ours, which the router adds;
 * a problem alone does not know the resource, so it claims nothing (a framework route may take GET only).
 */
class AllowHeaderTest {

    @Test
    void aProblemAloneClaimsNoMethods() {
        HttpReply reply = HttpApi.problem(new ImageFnException(ErrorCode.METHOD_NOT_ALLOWED, "no"), "req-1");
        assertEquals(405, reply.status());
        assertNull(reply.headers().get("Allow"), reply.headers().toString());
    }
}
