package dev.imagefn.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalS3;
import dev.imagefn.testing.Reply;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * {@code make bench}: imagefn against the physical reference and the peer (google-genai + AWS SDK) on the
 * local stack (S3Proxy + a Gemini stand-in that answers at once). Prints a table and writes
 * {@code target/bench/results.json}. Figures are medians; every run spawns real processes.
 */
public final class Bench {
    private static final Path OUT = Path.of("target/bench");
    private static final String KEY = "bench-key";
    private static final String BUCKET = "images";
    private static final int RUNS = Integer.getInteger("bench.runs", 7);
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    /** Start-up flags for small serverless instances: C1 only and the serial collector. */
    private static final String[] TUNED = {"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC"};
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final LocalS3 s3;
    private final GeminiStandIn gemini;
    private final S3Client s3Client;
    private final String java;
    private final String classpath;
    private final Map<String, Object> results = new LinkedHashMap<>();
    private final List<String> verdicts = new ArrayList<>();

    private Bench(LocalS3 s3, GeminiStandIn gemini) throws IOException {
        this.s3 = s3;
        this.gemini = gemini;
        this.java = ProcessHandle.current().info().command().orElse("java");
        this.classpath = "target/test-classes:" + Files.readString(OUT.resolve("classpath.txt")).strip();
        this.s3Client = S3Client.builder().endpointOverride(URI.create(s3.endpoint())).forcePathStyle(true)
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(LocalS3.ACCESS_KEY,
                        LocalS3.SECRET_KEY)))
                .build();
        try {
            s3Client.createBucket(b -> b.bucket(BUCKET));
        } catch (RuntimeException e) {
            // exists
        }
    }

    public static void main(String[] args) throws Exception {
        Files.createDirectories(OUT);
        long t0 = System.nanoTime();
        try (LocalS3 s3 = LocalS3.start(Path.of("target/localstack"), 0); GeminiStandIn gemini = new GeminiStandIn(0, KEY)) {
            Bench bench = new Bench(s3, gemini);
            List<String> parts = args.length == 0 ? List.of("cold", "overhead", "memory", "concurrency") : List.of(args);
            bench.machine();
            if (parts.contains("cold")) {
                bench.coldStarts();
            }
            if (parts.contains("overhead")) {
                bench.overheadPerImage();
            }
            if (parts.contains("memory")) {
                bench.memoryPerImage();
            }
            if (parts.contains("concurrency")) {
                bench.concurrency();
            }
            bench.results.put("verdicts", bench.verdicts);
            bench.results.put("benchSeconds", (System.nanoTime() - t0) / 1_000_000_000);
            Files.writeString(OUT.resolve("results.json"), JSON.writeValueAsString(bench.results));
            System.out.println();
            bench.verdicts.forEach(System.out::println);
            System.out.printf("%nbench took %d s; figures in %s%n", (System.nanoTime() - t0) / 1_000_000_000,
                    OUT.resolve("results.json"));
        }
    }

    // ---- processes -------------------------------------------------------------------------------------

    private record Target(String name, List<String> command, Map<String, String> env) {
    }

    private Target function(int port, String... jvmFlags) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(Arrays.asList(jvmFlags));
        cmd.addAll(List.of("-jar", "target/quarkus-app/quarkus-run.jar"));
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        env.put("GEMINI_API_KEY", KEY);
        env.put("IMAGEFN_GEMINI_BASE_URL", gemini.baseUrl());
        env.put("IMAGEFN_STORAGE_BUCKET", BUCKET);
        env.put("IMAGEFN_STORAGE_ENDPOINT", s3.endpoint());
        env.put("IMAGEFN_STORAGE_PATH_STYLE", "true");
        env.put("AWS_ACCESS_KEY_ID", LocalS3.ACCESS_KEY);
        env.put("AWS_SECRET_ACCESS_KEY", LocalS3.SECRET_KEY);
        // Extra settings for experiments: -Dbench.env=NAME=value,NAME=value
        for (String kv : System.getProperty("bench.env", "").split(",")) {
            if (kv.contains("=")) {
                env.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
            }
        }
        return new Target("imagefn", cmd, env);
    }

    private Target peer(int port, String... jvmFlags) {
        List<String> cmd = new ArrayList<>(List.of(java));
        cmd.addAll(Arrays.asList(jvmFlags));
        cmd.addAll(List.of("-cp", classpath, "dev.imagefn.bench.peer.PeerServer", Integer.toString(port),
                gemini.baseUrl(), KEY, s3.endpoint(), BUCKET));
        return new Target("peer", cmd, Map.of());
    }

    private static Process spawn(Target t, Path log) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(t.command()).redirectErrorStream(true).redirectOutput(log.toFile());
        pb.environment().putAll(t.env());
        return pb.start();
    }

    private static void stop(Process p) throws InterruptedException {
        p.destroy();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
        }
    }

    private static HttpResponse<String> post(int port, String body, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/images")).timeout(timeout)
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Spawns the target and POSTs until the first 200; returns {ms from spawn, RSS bytes after}. */
    private long[] firstImage(Target t, String body, Path log) throws Exception {
        long start = System.nanoTime();
        Process p = spawn(t, log);
        int port = Integer.parseInt(t.env().getOrDefault("QUARKUS_HTTP_PORT",
                t.command().get(t.command().indexOf("dev.imagefn.bench.peer.PeerServer") + 1)));
        try {
            while (System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
                if (!p.isAlive()) {
                    throw new IllegalStateException(t.name() + " exited: " + Files.readString(log));
                }
                try {
                    if (post(port, body, Duration.ofSeconds(30)).statusCode() == 200) {
                        long ms = (System.nanoTime() - start) / 1_000_000;
                        return new long[] {ms, new Probe(p.pid()).rss()};
                    }
                } catch (IOException e) {
                    // not listening yet
                }
                Thread.sleep(2);
            }
            throw new IllegalStateException(t.name() + " gave no image within 60 s");
        } finally {
            stop(p);
        }
    }

    // ---- 0. machine ------------------------------------------------------------------------------------

    private void machine() throws IOException {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("java", System.getProperty("java.vm.name") + " " + Runtime.version());
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version"));
        String cpu = Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                .findFirst().map(l -> l.substring(l.indexOf(':') + 1).strip()).orElse("?");
        m.put("cpu", cpu);
        results.put("machine", m);
        System.out.printf("machine: %s, %d cores, %s%n", cpu, m.get("cores"), m.get("java"));
    }

    // ---- 1. cold start ---------------------------------------------------------------------------------

    private void coldStarts() throws Exception {
        gemini.answerByDefault(Reply.image().mimeType("image/jpeg"));
        String body = "{\"prompt\":\"cold start\",\"aspectRatio\":\"1:1\",\"imageSize\":\"1K\"}";
        Map<String, Object> cold = new LinkedHashMap<>();
        System.out.println("\n1. cold start: process spawn → first image (median of " + RUNS + ")");
        cold.put("jvm", coldStart(function(LocalS3.freePort()), body, "imagefn JVM (fast-jar)"));
        cold.put("jvmTuned", coldStart(function(LocalS3.freePort(), TUNED), body, "imagefn JVM, C1 + SerialGC"));

        Path aot = OUT.resolve("imagefn.aot").toAbsolutePath();
        Files.deleteIfExists(aot);
        train(function(LocalS3.freePort(), concat(TUNED, "-XX:AOTCacheOutput=" + aot)), body);
        if (Files.exists(aot)) {
            cold.put("jvmAot", coldStart(function(LocalS3.freePort(), concat(TUNED, "-XX:AOTCache=" + aot)), body,
                    "imagefn JVM + AOT cache (C1+Serial)"));
        } else {
            System.out.println("   JVM + AOT cache: skipped, the training run wrote no cache");
        }
        boolean nativeImage = Files.exists(Path.of("target").resolve("imagefn-0.1.0-SNAPSHOT-runner"));
        if (nativeImage) {
            cold.put("native", coldStart(new Target("native", List.of("target/imagefn-0.1.0-SNAPSHOT-runner"),
                    function(0).env()), body, "imagefn native"));
        } else {
            System.out.println("   imagefn native: skipped — no native executable (no GraalVM native-image on this "
                    + "machine; make native builds one where it exists)");
            cold.put("native", "skipped: no native-image on this machine");
        }
        cold.put("peer", coldStart(peer(LocalS3.freePort()), body, "peer (google-genai + AWS SDK)"));
        cold.put("peerTuned", coldStart(peer(LocalS3.freePort(), TUNED), body, "peer, C1 + SerialGC"));
        results.put("coldStart", cold);
        verdict(median(cold, "jvmAot") <= 600, "JVM + AOT cache first image <= 0.6 s", median(cold, "jvmAot") + " ms");
        verdict(median(cold, "jvm") <= 1500, "plain JVM first image <= 1.5 s", median(cold, "jvm") + " ms");
        verdict(median(cold, "jvm") < median(cold, "peer"), "cold start ahead of the peer (plain JVMs)",
                median(cold, "jvm") + " ms vs " + median(cold, "peer") + " ms");
        verdict(median(cold, "jvmTuned") < median(cold, "peerTuned"), "cold start ahead of the peer (C1 + SerialGC)",
                median(cold, "jvmTuned") + " ms vs " + median(cold, "peerTuned") + " ms");
    }

    private static long median(Map<String, Object> m, String key) {
        Object v = m.get(key);
        return v instanceof Map<?, ?> mm ? ((Number) mm.get("medianMs")).longValue() : Long.MAX_VALUE;
    }

    private Map<String, Object> coldStart(Target t, String body, String label) throws Exception {
        long[] ms = new long[RUNS];
        long[] rss = new long[RUNS];
        for (int i = 0; i < RUNS; i++) {
            Target fresh = t.env().containsKey("QUARKUS_HTTP_PORT")
                    ? new Target(t.name(), t.command(), withPort(t.env(), LocalS3.freePort()))
                    : peerWithPort(t, LocalS3.freePort());
            long[] r = firstImage(fresh, body, OUT.resolve("cold-" + t.name() + ".log"));
            ms[i] = r[0];
            rss[i] = r[1];
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("medianMs", median(ms));
        m.put("minMs", Arrays.stream(ms).min().orElse(0));
        m.put("maxMs", Arrays.stream(ms).max().orElse(0));
        m.put("rssAfterFirstImageMB", median(rss) / (1024 * 1024));
        m.put("runsMs", ms);
        System.out.printf("   %-32s median %5d ms  (min %d, max %d)  RSS after first image %d MB%n", label,
                m.get("medianMs"), m.get("minMs"), m.get("maxMs"), m.get("rssAfterFirstImageMB"));
        return m;
    }

    private static String[] concat(String[] a, String b) {
        String[] out = Arrays.copyOf(a, a.length + 1);
        out[a.length] = b;
        return out;
    }

    private static Map<String, String> withPort(Map<String, String> env, int port) {
        Map<String, String> e = new LinkedHashMap<>(env);
        e.put("QUARKUS_HTTP_PORT", Integer.toString(port));
        return e;
    }

    private static Target peerWithPort(Target t, int port) {
        List<String> cmd = new ArrayList<>(t.command());
        cmd.set(cmd.indexOf("dev.imagefn.bench.peer.PeerServer") + 1, Integer.toString(port));
        return new Target(t.name(), cmd, t.env());
    }

    /** A training run for the JDK AOT cache: start, serve images of each size, exit cleanly (the cache is written then). */
    private void train(Target t, String body) throws Exception {
        int port = Integer.parseInt(t.env().get("QUARKUS_HTTP_PORT"));
        Process p = spawn(t, OUT.resolve("aot-training.log"));
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        boolean up = false;
        while (!up && System.nanoTime() < end && p.isAlive()) {
            try {
                up = post(port, body, Duration.ofSeconds(30)).statusCode() == 200;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        for (int i = 0; i < 30; i++) {
            post(port, body.replace("1K", i % 2 == 0 ? "2K" : "512"), Duration.ofSeconds(30));
        }
        stop(p);
        System.out.printf("   AOT training run: %s (%d MB)%n", Files.exists(OUT.resolve("imagefn.aot")) ? "cache written"
                : "no cache", Files.exists(OUT.resolve("imagefn.aot")) ? Files.size(OUT.resolve("imagefn.aot")) >> 20 : 0);
    }

    // ---- 2. overhead per image -------------------------------------------------------------------------

    private record Size(String size, String mime, int bytes) {
    }

    private void overheadPerImage() throws Exception {
        List<Size> sizes = List.of(new Size("512", "image/jpeg", 150_000), new Size("1K", "image/jpeg", 450_000),
                new Size("2K", "image/jpeg", 1_500_000), new Size("4K", "image/jpeg", 6_000_000),
                new Size("512", "image/png", 450_000), new Size("1K", "image/png", 1_500_000),
                new Size("2K", "image/png", 5_000_000), new Size("4K", "image/png", 15_000_000));
        int fnPort = LocalS3.freePort();
        int peerPort = LocalS3.freePort();
        Process fn = spawn(function(fnPort), OUT.resolve("overhead-imagefn.log"));
        Process pe = spawn(peer(peerPort), OUT.resolve("overhead-peer.log"));
        List<Map<String, Object>> rows = new ArrayList<>();
        System.out.println("\n2. time per image, ms (median of " + RUNS + "); overhead = function − stand-in − S3 PUT; "
                + "reference = base64 decode + S3 PUT");
        System.out.printf("   %-10s %9s %9s %9s %9s %9s %9s %7s %10s %7s%n", "image", "bytes", "imagefn", "stand-in",
                "S3 PUT", "overhead", "reference", "ratio", "peer", "peer x");
        try {
            awaitUp(fnPort, fn);
            awaitUp(peerPort, pe);
            for (Size s : sizes) {
                gemini.answerByDefault(Reply.image().mimeType(s.mime()).padTo(s.bytes()));
                String body = "{\"prompt\":\"bench " + s.size() + " " + s.mime() + "\",\"aspectRatio\":\"1:1\",\"imageSize\":\""
                        + s.size() + "\"}";
                for (int i = 0; i < 3; i++) {
                    post(fnPort, body, Duration.ofSeconds(120));
                    post(peerPort, body, Duration.ofSeconds(120));
                }
                long[] tFn = new long[RUNS];
                long[] tPeer = new long[RUNS];
                boolean peerOk = true;
                String peerError = null;
                for (int i = 0; i < RUNS; i++) {
                    tFn[i] = timed(() -> check(post(fnPort, body, Duration.ofSeconds(120))));
                    long t = System.nanoTime();
                    HttpResponse<String> r = post(peerPort, body, Duration.ofSeconds(120));
                    tPeer[i] = (System.nanoTime() - t) / 1_000;
                    if (r.statusCode() != 200) {
                        peerOk = false;
                        peerError = r.body().length() > 200 ? r.body().substring(0, 200) : r.body();
                    }
                }
                byte[] image = gemini.lastFinalImages().get(0);
                String geminiBody = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"bench " + s.size() + " "
                        + s.mime() + "\"}]}],\"generationConfig\":{\"responseModalities\":[\"IMAGE\"],\"imageConfig\":"
                        + "{\"aspectRatio\":\"1:1\",\"imageSize\":\"" + s.size() + "\"}}}";
                long[] tStandIn = new long[RUNS];
                long[] tDecode = new long[RUNS];
                long[] tPut = new long[RUNS];
                byte[] b64 = Base64.getEncoder().encode(image);
                for (int i = 0; i < RUNS + 2; i++) {
                    int k = Math.max(0, i - 2);
                    tStandIn[k] = timed(() -> HTTP.send(HttpRequest.newBuilder(URI.create(gemini.baseUrl()
                            + "/v1beta/models/gemini-3.1-flash-image:generateContent")).header("x-goog-api-key", KEY)
                            .POST(HttpRequest.BodyPublishers.ofString(geminiBody)).build(),
                            HttpResponse.BodyHandlers.discarding()));
                    tDecode[k] = timed(() -> Base64.getDecoder().decode(b64));
                    String key = "reference/" + i;
                    tPut[k] = timed(() -> s3Client.putObject(b -> b.bucket(BUCKET).key(key).contentType(s.mime()),
                            RequestBody.fromBytes(image)));
                }
                double fnMs = median(tFn) / 1000.0;
                double standInMs = median(tStandIn) / 1000.0;
                double putMs = median(tPut) / 1000.0;
                double refMs = median(tDecode) / 1000.0 + putMs;
                double overheadMs = Math.max(0, fnMs - standInMs - putMs);
                double peerMs = median(tPeer) / 1000.0;
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("size", s.size());
                row.put("mimeType", s.mime());
                row.put("imageBytes", image.length);
                row.put("base64Chars", b64.length);
                row.put("imagefnMs", round(fnMs));
                row.put("standInMs", round(standInMs));
                row.put("s3PutMs", round(putMs));
                row.put("decodeMs", round(median(tDecode) / 1000.0));
                row.put("overheadMs", round(overheadMs));
                row.put("referenceMs", round(refMs));
                row.put("overheadToReference", round(overheadMs / refMs));
                row.put("peerOk", peerOk);
                row.put("peerMs", peerOk ? round(peerMs) : null);
                if (!peerOk) {
                    row.put("peerError", peerError);
                }
                rows.add(row);
                System.out.printf("   %-10s %9d %9.1f %9.1f %9.1f %9.1f %9.1f %7.2f %10s %7s%n", s.size() + " "
                        + s.mime().substring(6), image.length, fnMs, standInMs, putMs, overheadMs, refMs, overheadMs / refMs,
                        peerOk ? String.format("%.1f", peerMs) : "FAILED", peerOk ? String.format("%.1f", peerMs / fnMs) : "-");
            }
        } finally {
            stop(fn);
            stop(pe);
        }
        results.put("overhead", rows);
        for (Map<String, Object> r : rows) {
            if (r.get("size").equals("4K")) {
                double ratio = ((Number) r.get("overheadToReference")).doubleValue();
                verdict(ratio <= 2.0, "overhead per 4K " + r.get("mimeType") + " <= 2x the physical reference",
                        String.format("%.2fx", ratio));
            }
            boolean ahead = !Boolean.TRUE.equals(r.get("peerOk"))
                    || ((Number) r.get("imagefnMs")).doubleValue() < ((Number) r.get("peerMs")).doubleValue();
            verdict(ahead, "time per image ahead of the peer at " + r.get("size") + " " + r.get("mimeType"),
                    r.get("imagefnMs") + " ms vs " + (Boolean.TRUE.equals(r.get("peerOk")) ? r.get("peerMs") + " ms"
                            : "peer failed"));
        }
    }

    // ---- 3. memory per image ---------------------------------------------------------------------------

    private void memoryPerImage() throws Exception {
        gemini.answerByDefault(Reply.image().mimeType("image/png").padTo(15_000_000));
        String body = "{\"prompt\":\"memory 4K\",\"aspectRatio\":\"1:1\",\"imageSize\":\"4K\"}";
        System.out.println("\n3. memory for one 4K PNG image (fresh process, -Xmx512m, after two warm-up images; peak heap ="
                + " sum of the heap pools' peaks, an upper bound)");
        Map<String, Object> mem = new LinkedHashMap<>();
        mem.put("imagefn", medianOf3(true, body));
        mem.put("peer", medianOf3(false, body));
        results.put("memoryPerImage", mem);
        double fnX = ((Number) ((Map<?, ?>) mem.get("imagefn")).get("peakTransientHeapPerImageByte")).doubleValue();
        Object peerX = ((Map<?, ?>) mem.get("peer")).get("peakTransientHeapPerImageByte");
        verdict(fnX <= 2.0, "peak transient memory for one 4K image <= 2x its size", String.format("%.2fx", fnX));
        verdict(peerX == null || fnX < ((Number) peerX).doubleValue(), "memory per image ahead of the peer",
                String.format("%.2fx vs %s", fnX, peerX == null ? "peer failed" : String.format("%.2fx",
                        ((Number) peerX).doubleValue())));
    }

    /** Three fresh processes; the run with the median peak is reported. */
    private Map<String, Object> medianOf3(boolean imagefn, String body) throws Exception {
        List<Map<String, Object>> runs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            runs.add(memory(imagefn, body));
        }
        runs.sort((a, b) -> Long.compare(((Number) a.get("heapPeakBytes")).longValue() - ((Number) a.get("heapBeforeBytes")).longValue(),
                ((Number) b.get("heapPeakBytes")).longValue() - ((Number) b.get("heapBeforeBytes")).longValue()));
        Map<String, Object> median = runs.get(1);
        System.out.printf("   %-8s median of 3: peak heap +%.1f MB (%.2fx the image)%n", imagefn ? "imagefn" : "peer",
                (((Number) median.get("heapPeakBytes")).longValue() - ((Number) median.get("heapBeforeBytes")).longValue()) / 1e6,
                median.get("peakTransientHeapPerImageByte"));
        return median;
    }

    private Map<String, Object> memory(boolean imagefn, String body) throws Exception {
        int port = LocalS3.freePort();
        int jmx = LocalS3.freePort();
        List<String> flags = new ArrayList<>(List.of(Probe.jmxFlags(jmx)));
        flags.add("-Xmx512m");
        String[] f = flags.toArray(String[]::new);
        Target t = imagefn ? function(port, f) : peer(port, f);
        Process p = spawn(t, OUT.resolve("memory-" + t.name() + ".log"));
        Map<String, Object> m = new LinkedHashMap<>();
        try (Probe probe = new Probe(p.pid())) {
            awaitUp(port, p);
            String small = body.replace("4K", "1K");
            post(port, small, Duration.ofSeconds(60));
            post(port, small, Duration.ofSeconds(60));
            probe.connect(jmx);
            probe.gc();
            long heapBefore = probe.heapUsed();
            probe.resetHeapPeak();
            probe.resetRssPeak();
            long rssBefore = probe.rss();
            long alloc0 = probe.allocatedBytes();
            HttpResponse<String> r = post(port, body, Duration.ofSeconds(120));
            long alloc1 = probe.allocatedBytes();
            long heapPeak = probe.heapPeak();
            long rssPeak = probe.rssPeak();
            int imageBytes = gemini.lastFinalImages().get(0).length;
            m.put("ok", r.statusCode() == 200);
            m.put("imageBytes", imageBytes);
            m.put("allocatedBytes", alloc1 - alloc0);
            m.put("heapBeforeBytes", heapBefore);
            m.put("heapPeakBytes", heapPeak);
            m.put("rssBeforeBytes", rssBefore);
            m.put("rssPeakBytes", rssPeak);
            if (r.statusCode() == 200) {
                m.put("peakTransientHeapPerImageByte", round((heapPeak - heapBefore) / (double) imageBytes));
                m.put("allocatedPerImageByte", round((alloc1 - alloc0) / (double) imageBytes));
                m.put("rssGrowthPerImageByte", round(Math.max(0, rssPeak - rssBefore) / (double) imageBytes));
            } else {
                m.put("error", r.body().length() > 200 ? r.body().substring(0, 200) : r.body());
            }
            System.out.printf("   %-8s %s  image %.1f MB  allocated %.1f MB (%.2fx)  peak heap +%.1f MB (%.2fx)  "
                    + "RSS peak %d MB (+%.1f MB)%n", t.name(), r.statusCode() == 200 ? "ok    " : "FAILED",
                    imageBytes / 1e6, (alloc1 - alloc0) / 1e6, (alloc1 - alloc0) / (double) imageBytes,
                    (heapPeak - heapBefore) / 1e6, (heapPeak - heapBefore) / (double) imageBytes, rssPeak >> 20,
                    Math.max(0, rssPeak - rssBefore) / 1e6);
        } finally {
            stop(p);
        }
        return m;
    }

    // ---- 4. concurrency --------------------------------------------------------------------------------

    private void concurrency() throws Exception {
        gemini.answerByDefault(Reply.image().mimeType("image/jpeg").padTo(1_500_000).delay(Duration.ofSeconds(2)));
        System.out.println("\n4. 20 concurrent 2K requests, stand-in latency 2 s, -Xmx1g (heap sampled every 5 ms)");
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("imagefn", concurrent(true));
        c.put("peer", concurrent(false));
        results.put("concurrency", c);
        Map<?, ?> fn = (Map<?, ?>) c.get("imagefn");
        verdict(((Number) fn.get("errors")).intValue() == 0 && ((Number) fn.get("maxHeapUsedMB")).longValue() < 256,
                "20 concurrent 2K requests: no error, heap < 256 MB",
                fn.get("errors") + " errors, max heap " + fn.get("maxHeapUsedMB") + " MB");
    }

    private Map<String, Object> concurrent(boolean imagefn) throws Exception {
        int port = LocalS3.freePort();
        int jmx = LocalS3.freePort();
        List<String> flags = new ArrayList<>(List.of(Probe.jmxFlags(jmx)));
        flags.add("-Xmx1g");
        String[] f = flags.toArray(String[]::new);
        Target t = imagefn ? function(port, f) : peer(port, f);
        Process p = spawn(t, OUT.resolve("concurrency-" + t.name() + ".log"));
        Map<String, Object> m = new LinkedHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(21);
        try (Probe probe = new Probe(p.pid())) {
            awaitUp(port, p);
            probe.connect(jmx);
            String body = "{\"prompt\":\"concurrent 2K\",\"aspectRatio\":\"16:9\",\"imageSize\":\"2K\"}";
            AtomicLong maxHeap = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Future<?> sampler = pool.submit(() -> {
                while (!done.get()) {
                    try {
                        maxHeap.accumulateAndGet(probe.heapUsed(), Math::max);
                        Thread.sleep(5);
                    } catch (Exception e) {
                        return;
                    }
                }
            });
            long t0 = System.nanoTime();
            List<Future<Integer>> calls = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                calls.add(pool.submit(() -> post(port, body, Duration.ofSeconds(120)).statusCode()));
            }
            int errors = 0;
            for (Future<Integer> call : calls) {
                try {
                    errors += call.get() == 200 ? 0 : 1;
                } catch (Exception e) {
                    errors++;
                }
            }
            long wallMs = (System.nanoTime() - t0) / 1_000_000;
            done.set(true);
            sampler.get();
            m.put("errors", errors);
            m.put("wallMs", wallMs);
            m.put("maxHeapUsedMB", maxHeap.get() >> 20);
            m.put("rssPeakMB", probe.rssPeak() >> 20);
            System.out.printf("   %-8s %2d errors  wall %5d ms  max heap used %3d MB  RSS peak %3d MB%n", t.name(), errors,
                    wallMs, maxHeap.get() >> 20, probe.rssPeak() >> 20);
        } finally {
            pool.shutdownNow();
            stop(p);
        }
        return m;
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    private interface Call {
        Object run() throws Exception;
    }

    /** Microseconds the call took. */
    private static long timed(Call c) throws Exception {
        long t = System.nanoTime();
        c.run();
        return (System.nanoTime() - t) / 1_000;
    }

    private static Object check(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("imagefn answered " + r.statusCode() + ": " + r.body());
        }
        return r;
    }

    private static void awaitUp(int port, Process p) throws Exception {
        long end = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < end && p.isAlive()) {
            try {
                HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/images"))
                        .method("OPTIONS", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException e) {
                Thread.sleep(20);
            }
        }
        throw new IllegalStateException("process on port " + port + " did not come up");
    }

    private static long median(long[] values) {
        long[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }

    private void verdict(boolean pass, String target, String measured) {
        verdicts.add(String.format("%-4s %-60s %s", pass ? "PASS" : "MISS", target, measured));
    }
}
