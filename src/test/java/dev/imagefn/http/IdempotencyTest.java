package dev.imagefn.http;

import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.Reply;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

@QuarkusTest
class IdempotencyTest extends HttpTestBase {

    @Test
    void sameKeyTwiceIsOneGenerationAndTheSameObject() {
        String idem = UUID.randomUUID().toString();
        String event = "{\"prompt\":\"once only\",\"idempotencyKey\":\"" + idem + "\"}";
        JsonPath first = post(event).statusCode(200).body("reused", equalTo(false)).extract().jsonPath();
        JsonPath second = post(event).statusCode(200).body("reused", equalTo(true)).extract().jsonPath();
        assertEquals(1, gemini().calls(), "the second request must not pay for a generation");
        assertEquals(first.getString("key"), second.getString("key"));
        assertEquals(first.getString("sha256"), second.getString("sha256"));
        assertEquals(first.getInt("width"), second.getInt("width"));
        assertEquals(first.getLong("bytes"), second.getLong("bytes"));
        assertEquals(0.0f, second.getFloat("cost.usd"));
        assertTrue(first.getString("key").matches("generated/\\d{4}/\\d{2}/\\d{2}/[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}\\.png"),
                first.getString("key"));
        assertTrue(!first.getString("key").contains(idem), "the idempotency key itself is not exposed in the key");
    }

    @Test
    void concurrentDuplicatesMakeOneObjectAndOneCall() throws Exception {
        String idem = UUID.randomUUID().toString();
        gemini().enqueue(Reply.image().delay(Duration.ofMillis(700)));
        String event = "{\"prompt\":\"racing\",\"idempotencyKey\":\"" + idem + "\"}";
        Set<String> before = keys();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        List<Future<JsonPath>> futures = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            futures.add(pool.submit(() -> post(event).statusCode(200).extract().jsonPath()));
        }
        Set<String> resultKeys = new java.util.HashSet<>();
        int reused = 0;
        for (Future<JsonPath> f : futures) {
            JsonPath r = f.get();
            resultKeys.add(r.getString("key"));
            reused += r.getBoolean("reused") ? 1 : 0;
        }
        pool.shutdown();
        assertEquals(1, resultKeys.size(), "every duplicate answers with the same key");
        assertEquals(5, reused);
        assertEquals(1, gemini().calls());
        Set<String> added = keys();
        added.removeAll(before);
        assertEquals(resultKeys, added, "exactly one object");
        assertArrayEquals(gemini().lastFinalImages().get(0), object(resultKeys.iterator().next()));
    }

    @Test
    void sameKeyWithAnotherRequestIsAConflictNotTheFirstImage() {
        String idem = UUID.randomUUID().toString();
        post("{\"prompt\":\"first\",\"idempotencyKey\":\"" + idem + "\"}").statusCode(200);
        for (String other : List.of("{\"prompt\":\"second\",\"idempotencyKey\":\"" + idem + "\"}",
                "{\"prompt\":\"first\",\"imageSize\":\"2K\",\"idempotencyKey\":\"" + idem + "\"}",
                "{\"prompt\":\"first\",\"model\":\"nano-banana-pro\",\"idempotencyKey\":\"" + idem + "\"}")) {
            assertNoObjectLeft(() -> post(other).statusCode(409).contentType("application/problem+json")
                    .body("code", equalTo("IDEMPOTENCY_CONFLICT")).body("retryable", equalTo(false)));
        }
        post("{\"prompt\":\"first\",\"presign\":true,\"idempotencyKey\":\"" + idem + "\"}").statusCode(200)
                .body("reused", equalTo(true));
        assertEquals(1, gemini().calls());
    }

    @Test
    void failedFirstAttemptDoesNotPoisonTheKey() {
        String idem = UUID.randomUUID().toString();
        String event = "{\"prompt\":\"try again\",\"idempotencyKey\":\"" + idem + "\"}";
        gemini().enqueue(Reply.promptBlocked("OTHER"));
        post(event).statusCode(422);
        post(event).statusCode(200).body("reused", equalTo(false));
        assertEquals(2, gemini().calls());
    }

    @Test
    void explicitKeyWithIdempotencyKeyIsWrittenOnce() {
        String idem = UUID.randomUUID().toString();
        String event = "{\"prompt\":\"named once\",\"key\":\"fixed/" + idem + ".png\",\"idempotencyKey\":\"" + idem + "\"}";
        post(event).statusCode(200).body("key", equalTo("generated/fixed/" + idem + ".png")).body("reused", equalTo(false));
        post(event).statusCode(200).body("reused", equalTo(true));
        assertEquals(1, gemini().calls());
    }
}
