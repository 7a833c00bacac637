package dev.imagefn.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.HttpTestBase;
import dev.imagefn.testing.RestrictedProfile;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.net.URI;
import java.net.URL;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The official OpenAI SDK for JavaScript ({@code openai} on npm, pinned in src/test/resources/openai-sdk) against the
 * running function, S3Proxy and the Gemini stand-in, as a user would call it: only {@code baseURL} and
 * {@code apiKey} set. Installs the SDK into target/openai-sdk with npm; skipped, saying why, where Node.js or npm is
 * missing.
 */
@QuarkusTest
@TestProfile(RestrictedProfile.class)
class OpenAiSdkTest extends HttpTestBase {
    private static final Path DIR = Path.of("target/openai-sdk");
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/v1")
    URL base;

    @Test
    void theOfficialSdkGeneratesStoresAndReportsErrors() throws Exception {
        String node = tool("node");
        String npm = tool("npm");
        install(npm);
        JsonNode out = run(node);

        JsonNode url = ok(out, "url");
        List<GeminiStandIn.Recorded> calls = gemini().requests();
        assertEquals("/v1beta/models/gemini-3.1-flash-image:generateContent", calls.get(0).path(),
                "dall-e-3 is served by the default model");
        assertEquals("16:9", calls.get(0).json().at("/generationConfig/imageConfig/aspectRatio").asText());
        assertEquals("2K", calls.get(0).json().at("/generationConfig/imageConfig/imageSize").asText());
        HttpResponse<byte[]> fetched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(url.at("/data/0/url").asText())).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, fetched.statusCode());
        assertArrayEquals(object(url.at("/results/0/key").asText()), fetched.body());

        JsonNode b64 = ok(out, "b64");
        assertEquals(2, b64.path("data").size());
        for (int i = 0; i < 2; i++) {
            assertArrayEquals(object(b64.at("/results/" + i + "/key").asText()),
                    Base64.getDecoder().decode(b64.at("/data/" + i + "/b64_json").asText()), "image " + i);
        }

        JsonNode ext = ok(out, "extensions");
        assertEquals("gemini-nano-banana-2.1", ext.at("/results/0/model").asText());
        JsonNode extCall = calls.get(3).json().at("/generationConfig/imageConfig");
        assertEquals("21:9", extCall.path("aspectRatio").asText());
        assertEquals("2K", extCall.path("imageSize").asText());
        assertEquals("sdk", head(ext.at("/results/0/key").asText()).metadata().get("project"));

        assertError(out, "badSize", "BadRequestError", 400, null, "size");
        assertError(out, "blocked", "BadRequestError", 400, "content_policy_violation", null);
        assertError(out, "paidFailure", "InternalServerError", 502, "no_image", null);
        assertEquals(1, calls.stream().filter(r -> new String(r.body(), StandardCharsets.UTF_8)
                .contains("[stand-in:no-image]")).count(), "x-should-retry: false keeps the SDK from paying again");
        assertError(out, "wrongKey", "AuthenticationError", 401, "invalid_api_key", null);
        assertEquals(6, calls.size(), "1 + 2 + 1 generations, the block, the paid failure; nothing for refusals");
    }

    private static JsonNode ok(JsonNode out, String name) {
        assertTrue(out.path(name).has("ok"), name + ": " + out.path(name));
        return out.path(name).path("ok");
    }

    private static void assertError(JsonNode out, String name, String type, int status, String code, String param) {
        JsonNode e = out.path(name).path("error");
        assertEquals(type, e.path("name").asText(), name + ": " + out.path(name));
        assertEquals(status, e.path("status").asInt(), name);
        if (code != null) {
            assertEquals(code, e.path("code").asText(), name);
        }
        if (param != null) {
            assertEquals(param, e.path("param").asText(), name);
        }
    }

    /** The tool's path, or the test is skipped (not passed) with the reason. */
    private static String tool(String name) {
        try {
            Process p = new ProcessBuilder(name, "--version").redirectErrorStream(true).start();
            if (p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0) {
                return name;
            }
        } catch (IOException e) {
            // not installed
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        String why = "SKIPPED: OpenAiSdkTest needs '" + name + "' (Node.js 18+ with npm) on the PATH to run the "
                + "official OpenAI SDK; install Node.js to run it";
        System.err.println(why);
        Assumptions.abort(why);
        return null;
    }

    private void install(String npm) throws Exception {
        Files.createDirectories(DIR);
        for (String f : List.of("package.json", "generate.mjs")) {
            try (var in = OpenAiSdkTest.class.getResourceAsStream("/openai-sdk/" + f)) {
                Files.copy(in, DIR.resolve(f), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String wanted = JSON.readTree(DIR.resolve("package.json").toFile()).at("/dependencies/openai").asText();
        Path installed = DIR.resolve("node_modules/openai/package.json");
        if (Files.exists(installed) && wanted.equals(JSON.readTree(installed.toFile()).path("version").asText())) {
            return;
        }
        exec(List.of(npm, "install", "--no-audit", "--no-fund", "--ignore-scripts", "--no-package-lock"), 300);
    }

    private JsonNode run(String node) throws Exception {
        String output = exec(List.of(node, "generate.mjs"), 300);
        String last = output.strip().lines().reduce((a, b) -> b).orElse("");
        return JSON.readTree(last);
    }

    private String exec(List<String> command, int seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(DIR.toFile()).redirectErrorStream(true);
        pb.environment().put("IMAGEFN_BASE_URL", base.toString());
        pb.environment().put("IMAGEFN_TOKEN", RestrictedProfile.TOKEN);
        pb.environment().remove("OPENAI_API_KEY");
        pb.environment().remove("OPENAI_BASE_URL");
        Path log = Files.createTempFile(DIR, "exec", ".log");
        pb.redirectOutput(log.toFile());
        Process p = pb.start();
        boolean done = p.waitFor(seconds, TimeUnit.SECONDS);
        String output = Files.readString(log);
        if (!done) {
            p.destroyForcibly();
        }
        assertTrue(done && p.exitValue() == 0, String.join(" ", command) + " failed:\n" + output);
        return output;
    }
}
