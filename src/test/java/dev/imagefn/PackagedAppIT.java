package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.LocalS3;
import dev.imagefn.testing.PackagedFunction;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The packaged function as a user runs it: the native executable when the build made one ({@code -Dnative}),
 * else {@code target/quarkus-app} ({@link PackagedFunction}).
 */
class PackagedAppIT {

    @Test
    void refusesToStartWithoutTheRequiredSettingsAndNamesThem() throws Exception {
        Process p = PackagedFunction.processBuilder(LocalS3.freePort(), List.of()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "must fail fast, not hang");
        String out = new String(p.getInputStream().readAllBytes());
        assertNotEquals(0, p.exitValue());
        assertTrue(out.contains("GEMINI_API_KEY") && out.contains("imagefn.gemini.api-key"), out);
        assertTrue(out.contains("IMAGEFN_STORAGE_BUCKET") && out.contains("imagefn.storage.bucket"), out);
    }

    @Test
    void servesAnImageOnTheLocalStack() throws Exception {
        try (LocalS3 s3 = LocalS3.start(Path.of(System.getProperty("localstack.dir", "target/localstack")), 0);
                GeminiStandIn gemini = new GeminiStandIn(0, "it-key");
                PackagedFunction f = PackagedFunction.start(PackagedFunction.localStack(s3, gemini, "it-key"),
                        List.of(), Duration.ofSeconds(60))) {
            HttpClient http = HttpClient.newHttpClient();
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + "/v1/images"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"prompt\":\"packaged\"}")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, r.statusCode(), r.body());
            String key = r.body().replaceAll(".*\"key\":\"([^\"]+)\".*", "$1");
            assertTrue(Files.exists(s3.file("images", key)), key);
            assertTrue(java.util.Arrays.equals(gemini.lastFinalImages().get(0),
                    Files.readAllBytes(s3.file("images", key))));
            assertTrue(!f.log().contains("it-key"), "the key is not logged");

            HttpResponse<byte[]> doc = http.send(HttpRequest.newBuilder(URI.create(f.baseUrl() + "/q/openapi"))
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, doc.statusCode());
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(Path.of("deploy/openapi.yaml")), doc.body()),
                    "/q/openapi serves the packaged deploy/openapi.yaml");
            HttpResponse<byte[]> json = http.send(HttpRequest.newBuilder(URI.create(f.baseUrl()
                    + "/q/openapi.json")).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(java.util.Arrays.equals(Files.readAllBytes(Path.of("deploy/openapi.json")), json.body()),
                    "/q/openapi.json serves the packaged deploy/openapi.json");
        }
    }

    /** {@code target/quarkus-app}; the test is skipped when the build made no JVM package. */
    private static Path jvmPackage() {
        Path app = Path.of(System.getProperty("build.dir", "target"), "quarkus-app");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(app.resolve("lib/main")), "no JVM package: "
                + app);
        return app;
    }

    @Test
    void thePackagedJarCarriesNoOpenApiGenerator() throws Exception {
        try (var jars = Files.list(jvmPackage().resolve("lib/main"))) {
            List<String> generators = jars.map(j -> j.getFileName().toString())
                    .filter(n -> n.contains("smallrye-open-api") || n.contains("quarkus-smallrye-openapi")
                            || n.contains("snakeyaml"))
                    .toList();
            assertEquals(List.of(), generators, "the OpenAPI generator parses and rewrites the document at every"
                    + " start; the function serves the committed copy instead");
        }
    }

    /** The JDK AOT cache fully keeps only classes of the JVM's own class path (README, Faster JVM start). */
    @Test
    void theJvmPackagePutsEveryJarOnTheJvmClassPath() throws Exception {
        Path app = jvmPackage();
        java.util.Set<String> classPath;
        try (var jar = new java.util.jar.JarFile(app.resolve("quarkus-run.jar").toFile())) {
            classPath = java.util.Set.of(jar.getManifest().getMainAttributes()
                    .getValue(java.util.jar.Attributes.Name.CLASS_PATH).split(" "));
        }
        List<String> jars;
        try (var main = Files.list(app.resolve("lib/main")); var own = Files.list(app.resolve("app"))) {
            jars = java.util.stream.Stream.concat(main, own).map(j -> app.relativize(j).toString())
                    .filter(n -> n.endsWith(".jar")).toList();
        }
        assertTrue(jars.size() > 50, "lib/main and app hold the jars: " + jars.size());
        List<String> outside = jars.stream().filter(j -> !classPath.contains(j)).toList();
        assertEquals(0, outside.size(), outside.size() + " jars (" + outside.subList(0, Math.min(3, outside.size()))
                + "...) are loaded by Quarkus's own class loader instead of the JVM's: the AOT cache cannot keep"
                + " their lambdas and linking (quarkus.package.jar.type=aot-jar)");
    }
}
