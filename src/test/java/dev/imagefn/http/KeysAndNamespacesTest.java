package dev.imagefn.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.imagefn.testing.HttpTestBase;
import io.quarkus.test.junit.QuarkusTest;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A caller reaches only its own objects and its own idempotency records. */
@QuarkusTest
class KeysAndNamespacesTest extends HttpTestBase {

    @Test
    void anExplicitKeyNeverOverwritesAndCostsNothingWhenTaken() {
        String key = "mine/" + UUID.randomUUID() + ".png";
        post("{\"prompt\":\"first owner\",\"key\":\"" + key + "\"}").statusCode(200);
        byte[] original = object("generated/" + key);
        int calls = gemini().calls();
        post("{\"prompt\":\"someone else\",\"key\":\"" + key + "\"}").statusCode(409)
                .contentType("application/problem+json").body("code", equalTo("KEY_EXISTS"));
        assertEquals(calls, gemini().calls(), "refused before any paid call");
        assertArrayEquals(original, object("generated/" + key));
    }

    @Test
    void anIdempotencyKeyDoesNotOpenSomeoneElsesObject() {
        String key = "victim/" + UUID.randomUUID() + ".png";
        post("{\"prompt\":\"private\",\"key\":\"" + key + "\"}").statusCode(200);
        int calls = gemini().calls();
        post("{\"prompt\":\"private\",\"key\":\"" + key + "\",\"idempotencyKey\":\"" + UUID.randomUUID()
                + "\",\"presign\":true}").statusCode(409).body("code", equalTo("KEY_EXISTS")).body("url", nullValue());
        assertEquals(calls, gemini().calls());
    }

    @Test
    void aCallerCannotClaimADeliverysKeyInAdvance() {
        String source = "//knative/broker";
        String id = UUID.randomUUID().toString();
        for (String guess : new String[] {"cloudevent:" + source + "#" + id, source + "#" + id}) {
            post("{\"prompt\":\"attacker's picture\",\"idempotencyKey\":\"" + guess + "\"}").statusCode(200);
        }
        given().contentType("application/json").header("ce-specversion", "1.0").header("ce-id", id)
                .header("ce-source", source).header("ce-type", "dev.imagefn.image.requested")
                .body("{\"prompt\":\"attacker's picture\"}").when().post("/").then().statusCode(200)
                .body("reused", equalTo(false));
        assertEquals(3, gemini().calls(), "the event got its own image");
    }
}
