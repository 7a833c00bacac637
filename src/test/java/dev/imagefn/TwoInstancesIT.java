package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalS3;
import dev.imagefn.testing.PackagedFunction;
import dev.imagefn.testing.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two instances of the packaged function (jar, or native executable: {@link PackagedFunction}) on one bucket of one
 * S3Proxy, with one Gemini stand-in that takes 1.5 s per image: the same request sent to both at the same moment
 * is paid once, and the other instance answers with the first one's image. {@code -Dit.instance.options=…} adds
 * options to both instances' command lines, e.g.
 * {@code ./mvnw verify -Dit.test=TwoInstancesIT -Dit.instance.options=-Dimagefn.idempotency.claim-fence=0s}.
 */
class TwoInstancesIT {
    private static final String API_KEY = "two-instances-key";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration GENERATION = Duration.ofMillis(1500);
    /** Space-separated options for both instances' command lines. */
    private static final String OPTIONS = "it.instance.options";

    private static LocalS3 s3;
    private static GeminiStandIn gemini;
    private static List<PackagedFunction> instances;
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();

    @BeforeAll
    static void start() throws Exception {
        s3 = LocalS3.start(Path.of(System.getProperty("localstack.dir", "target/localstack")), 0);
        gemini = new GeminiStandIn(0, API_KEY);
        List<String> settings = Stream.of(System.getProperty(OPTIONS, "").strip().split("\\s+"))
                .filter(o -> !o.isEmpty()).toList();
        if (!settings.isEmpty()) {
            System.out.println("TwoInstancesIT: both instances get " + settings);
        }
        Map<String, String> env = PackagedFunction.localStack(s3, gemini, API_KEY);
        // Started one after the other: both would create the bucket at once otherwise, which is not under test.
        instances = new ArrayList<>();
        instances.add(PackagedFunction.start(env, settings, Duration.ofSeconds(120)));
        instances.add(PackagedFunction.start(env, settings, Duration.ofSeconds(120)));
    }

    @AfterAll
    static void stop() {
        if (instances != null) {
            instances.forEach(PackagedFunction::close);
        }
        if (gemini != null) {
            gemini.close();
        }
        if (s3 != null) {
            s3.close();
        }
    }

    @BeforeEach
    void slowGemini() throws Exception {
        gemini.reset();
        gemini.answerByDefault(Reply.image().delay(GENERATION));
        for (PackagedFunction f : instances) {
            // one connection each is open before the race, so both requests of a pair leave at the same moment
            HTTP.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + "/q/health/ready")).build(),
                    HttpResponse.BodyHandlers.discarding());
        }
    }

    /** One answer of one instance. */
    record Answer(int instance, int status, Map<String, List<String>> headers, JsonNode body) {
        boolean reused() {
            return body.path("reused").asBoolean(false);
        }

        String key() {
            return body.path("key").asText(null);
        }

        @Override
        public String toString() {
            return "instance " + instance + ": " + status + " key=" + key() + " reused=" + body.path("reused")
                    + " cost.usd=" + body.at("/cost/usd") + (status == 200 ? "" : " " + body);
        }
    }

    @Test
    void theSameIdempotencyKeyAtBothInstancesAtOnceIsPaidOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int pairs = 10;
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            prompts.add("two instances " + run + " #" + i);
        }
        long objectsBefore = storedImages();
        List<List<Answer>> answers = race(prompts, (prompt, f) -> HttpRequest
                .newBuilder(URI.create(f.baseUrl() + "/v1/images")).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + prompt + "\",\"idempotencyKey\":\""
                        + run + "-" + prompt.substring(prompt.indexOf('#') + 1) + "\"}")));
        check(prompts, answers, storedImages() - objectsBefore);
    }

    @Test
    void theSameCloudEventAtBothInstancesAtOnceIsPaidOnce() throws Exception {
        String run = UUID.randomUUID().toString().substring(0, 8);
        int pairs = 5;
        List<String> prompts = new ArrayList<>();
        for (int i = 0; i < pairs; i++) {
            prompts.add("two instances event " + run + " #" + i);
        }
        long objectsBefore = storedImages();
        List<List<Answer>> answers = race(prompts, (prompt, f) -> HttpRequest.newBuilder(URI.create(f.baseUrl() + "/"))
                .header("Content-Type", "application/json").header("ce-specversion", "1.0")
                .header("ce-id", "evt-" + run + "-" + prompt.substring(prompt.indexOf('#') + 1))
                .header("ce-source", "//two-instances/broker").header("ce-type", "dev.imagefn.image.requested")
                .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"" + prompt + "\"}")));
        for (List<Answer> pair : answers) {
            for (Answer a : pair) {
                assertEquals(List.of("dev.imagefn.image.generated"), a.headers().get("ce-type"), a.toString());
                assertEquals(List.of(a.key()), a.headers().get("ce-subject"), a.toString());
            }
        }
        check(prompts, answers, storedImages() - objectsBefore);
    }

    private interface Request {
        HttpRequest.Builder to(String prompt, PackagedFunction instance);
    }

    /** For every prompt, its request sent to both instances; all requests leave together (one barrier). */
    private static List<List<Answer>> race(List<String> prompts, Request request) throws Exception {
        int n = prompts.size() * instances.size();
        CyclicBarrier start = new CyclicBarrier(n);
        List<List<Future<Answer>>> futures = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (String prompt : prompts) {
                List<Future<Answer>> pair = new ArrayList<>();
                for (int i = 0; i < instances.size(); i++) {
                    int instance = i;
                    HttpRequest r = request.to(prompt, instances.get(i)).timeout(Duration.ofSeconds(90)).build();
                    pair.add(pool.submit(() -> {
                        start.await(30, TimeUnit.SECONDS);
                        HttpResponse<String> resp = HTTP.send(r, HttpResponse.BodyHandlers.ofString());
                        return new Answer(instance, resp.statusCode(), resp.headers().map(), JSON.readTree(resp.body()));
                    }));
                }
                futures.add(pair);
            }
            List<List<Answer>> answers = new ArrayList<>();
            for (List<Future<Answer>> pair : futures) {
                List<Answer> got = new ArrayList<>();
                for (Future<Answer> f : pair) {
                    got.add(f.get(120, TimeUnit.SECONDS));
                }
                answers.add(got);
            }
            return answers;
        }
    }

    /** One paid call per prompt, both answers name one image, one is the generation and the other its reuse. */
    private static void check(List<String> prompts, List<List<Answer>> answers, long newObjects) {
        Map<String, Long> calls = gemini.requests().stream()
                .collect(Collectors.groupingBy(r -> r.json().at("/contents/0/parts/0/text").asText(),
                        Collectors.counting()));
        long paidTwice = prompts.stream().filter(p -> calls.getOrDefault(p, 0L) > 1).count();
        StringBuilder report = new StringBuilder();
        report.append(paidTwice).append(" of ").append(prompts.size()).append(" keys paid twice; ")
                .append(gemini.calls()).append(" Gemini calls for ").append(prompts.size()).append(" requests; ")
                .append(newObjects).append(" images stored");
        for (int i = 0; i < prompts.size(); i++) {
            report.append("\n  ").append(prompts.get(i)).append(": ").append(calls.getOrDefault(prompts.get(i), 0L))
                    .append(" call(s); ").append(answers.get(i));
        }
        System.out.println("TwoInstancesIT: " + report);
        for (List<Answer> pair : answers) {
            for (Answer a : pair) {
                assertEquals(200, a.status(), report.toString());
            }
        }
        assertEquals(0, paidTwice, report.toString());
        assertEquals(prompts.size(), gemini.calls(), report.toString());
        for (List<Answer> pair : answers) {
            assertEquals(pair.get(0).key(), pair.get(1).key(), "both answers name the same image\n" + report);
            List<Answer> fresh = pair.stream().filter(a -> !a.reused()).toList();
            List<Answer> reused = pair.stream().filter(Answer::reused).toList();
            assertEquals(1, fresh.size(), "exactly one answer is the generation\n" + report);
            assertEquals(1, reused.size(), "the other is its reuse\n" + report);
            assertEquals(0.0, reused.get(0).body().at("/cost/usd").asDouble(-1), "a reuse costs 0\n" + report);
            assertTrue(fresh.get(0).body().at("/cost/usd").asDouble() > 0, "the generation is paid\n" + report);
        }
        assertEquals(prompts.size(), newObjects, "one image per request\n" + report);
    }

    /** Image objects in the bucket (idempotency records left out), as S3Proxy keeps them on disk. */
    private static long storedImages() throws IOException {
        Path bucket = s3.dataDir().resolve("images");
        if (!Files.exists(bucket)) {
            return 0;
        }
        try (Stream<Path> files = Files.walk(bucket)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> bucket.relativize(p).toString().replace('\\', '/'))
                    .filter(k -> !k.contains("/.idempotency/") && !k.contains("/failures/"))
                    .count();
        }
    }
}
