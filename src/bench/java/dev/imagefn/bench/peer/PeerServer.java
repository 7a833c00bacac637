package dev.imagefn.bench.peer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.genai.Client;
import com.google.genai.types.Blob;
import com.google.genai.types.GenerateContentConfig;
import com.google.genai.types.GenerateContentResponse;
import com.google.genai.types.HttpOptions;
import com.google.genai.types.ImageConfig;
import com.google.genai.types.Part;
import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;
import java.util.concurrent.Executors;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * The peer: what a user would otherwise write — Google's official Java SDK ({@code google-genai}) plus the
 * AWS SDK, behind a plain JDK HTTP server: POST /v1/images {prompt, aspectRatio, imageSize} → {key, bytes}.
 * Benchmark code only; never part of imagefn. Args: port geminiBaseUrl apiKey s3Endpoint bucket.
 */
public final class PeerServer {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        Client gemini = Client.builder().apiKey(args[2])
                .httpOptions(HttpOptions.builder().baseUrl(args[1]).apiVersion("v1beta").build()).build();
        S3Client s3 = S3Client.builder().endpointOverride(URI.create(args[3])).forcePathStyle(true)
                .region(Region.US_EAST_1).httpClient(UrlConnectionHttpClient.create())
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("local-access-key",
                        "local-secret-key")))
                .build();
        String bucket = args[4];
        ObjectMapper json = new ObjectMapper();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
        server.setExecutor(Executors.newFixedThreadPool(32));
        server.createContext("/v1/images", ex -> {
            byte[] reply;
            int status = 200;
            try {
                JsonNode event = json.readTree(ex.getRequestBody());
                GenerateContentConfig.Builder config = GenerateContentConfig.builder().responseModalities("IMAGE");
                ImageConfig.Builder image = ImageConfig.builder();
                if (event.hasNonNull("aspectRatio")) {
                    image.aspectRatio(event.get("aspectRatio").asText());
                }
                if (event.hasNonNull("imageSize")) {
                    image.imageSize(event.get("imageSize").asText());
                }
                config.imageConfig(image.build());
                GenerateContentResponse response = gemini.models.generateContent("gemini-3.1-flash-image",
                        event.get("prompt").asText(), config.build());
                Blob last = null;
                for (Part part : response.parts()) {
                    if (part.inlineData().isPresent() && !part.thought().orElse(false)) {
                        last = part.inlineData().get();
                    }
                }
                if (last == null) {
                    throw new IllegalStateException("no image");
                }
                byte[] bytes = last.data().orElseThrow();
                String mime = last.mimeType().orElse("image/png");
                String key = "peer/" + UUID.randomUUID() + (mime.contains("jpeg") ? ".jpg" : ".png");
                s3.putObject(b -> b.bucket(bucket).key(key).contentType(mime), RequestBody.fromBytes(bytes));
                reply = json.writeValueAsBytes(java.util.Map.of("key", key, "bytes", bytes.length));
            } catch (Exception e) {
                status = 500;
                reply = ("{\"error\":" + json.writeValueAsString(String.valueOf(e)) + "}").getBytes(StandardCharsets.UTF_8);
            }
            ex.getResponseHeaders().set("Content-Type", "application/json");
            ex.sendResponseHeaders(status, reply.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(reply);
            }
        });
        server.start();
    }
}
