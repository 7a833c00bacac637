package dev.imagefn.gemini;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.imagefn.testing.GeminiStandIn;
import dev.imagefn.testing.TestImages;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The stand-in reads a {@code fileData} URI as Gemini does, and refuses one it cannot read as Gemini would. */
class GeminiStandInFileDataTest {
    private static final String KEY = "k";
    private final byte[] png = TestImages.png(16, 16, 0x445566, 0);
    private GeminiStandIn gemini;
    private HttpServer files;

    @BeforeEach
    void start() throws Exception {
        gemini = new GeminiStandIn(0, KEY);
        files = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
        files.createContext("/image.png", ex -> {
            ex.sendResponseHeaders(200, png.length);
            ex.getResponseBody().write(png);
            ex.close();
        });
        files.createContext("/notes.txt", ex -> {
            byte[] text = "just text".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, text.length);
            ex.getResponseBody().write(text);
            ex.close();
        });
        files.start();
    }

    @AfterEach
    void stop() {
        gemini.close();
        files.stop(0);
    }

    private String file(String path) {
        return "http://127.0.0.1:" + files.getAddress().getPort() + path;
    }

    private HttpResponse<String> generate(String fileUri, String mimeType) throws Exception {
        String body = "{\"contents\":[{\"role\":\"user\",\"parts\":[{\"text\":\"edit\"},{\"fileData\":{\"mimeType\":\""
                + mimeType + "\",\"fileUri\":\"" + fileUri + "\"}}]}],\"generationConfig\":{\"responseModalities\":"
                + "[\"IMAGE\"]}}";
        try (HttpClient client = HttpClient.newHttpClient()) {
            return client.send(HttpRequest.newBuilder(URI.create(gemini.baseUrl()
                    + "/v1beta/models/gemini-3.1-flash-image:generateContent")).header("x-goog-api-key", KEY)
                    .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    private static void assertInvalidArgument(HttpResponse<String> r) throws Exception {
        assertEquals(400, r.statusCode(), r.body());
        assertEquals("INVALID_ARGUMENT", new ObjectMapper().readTree(r.body()).at("/error/status").asText(), r.body());
    }

    @Test
    void anImageItCanFetchIsReadAndRecorded() throws Exception {
        HttpResponse<String> r = generate(file("/image.png"), "image/png");
        assertEquals(200, r.statusCode(), r.body());
        assertEquals(1, gemini.fetched().size());
        assertEquals(file("/image.png"), gemini.fetched().get(0).uri());
        assertArrayEquals(png, gemini.fetched().get(0).body());
    }

    @Test
    void aUrlThatAnswersNotFoundIsInvalidArgument() throws Exception {
        assertInvalidArgument(generate(file("/missing.png"), "image/png"));
        assertEquals(404, gemini.fetched().get(0).status());
    }

    @Test
    void aUrlNobodyAnswersIsInvalidArgument() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closed = s.getLocalPort();
        }
        assertInvalidArgument(generate("http://127.0.0.1:" + closed + "/a.png", "image/png"));
        assertEquals(0, gemini.fetched().get(0).status());
    }

    @Test
    void somethingThatIsNotAnImageIsInvalidArgument() throws Exception {
        HttpResponse<String> r = generate(file("/notes.txt"), "image/png");
        assertInvalidArgument(r);
        assertTrue(r.body().contains("Unable to process input image"), r.body());
    }

    @Test
    void anUnsupportedDeclaredTypeIsInvalidArgument() throws Exception {
        assertInvalidArgument(generate(file("/image.png"), "text/plain"));
    }

    @Test
    void aHostOtherThanThisMachineIsNeverContacted() throws Exception {
        assertInvalidArgument(generate("https://bucket.s3.amazonaws.com/a.png?X-Amz-Signature=x", "image/png"));
        assertInvalidArgument(generate("gs://bucket/a.png", "image/png"));
        assertEquals(0, gemini.fetched().size());
    }
}
