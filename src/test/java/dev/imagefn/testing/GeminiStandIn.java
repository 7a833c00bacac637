package dev.imagefn.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in for the Gemini API on 127.0.0.1 that speaks the documented wire format:
 * {@code POST /v1beta/models/{model}:generateContent} with {@code x-goog-api-key}, images of the requested
 * pixel size, thought images, text parts, blocks, Google error bodies. Answers are scripted with
 * {@link #enqueue}; every request is recorded so tests can assert on the wire. A {@code fileData} part with an
 * http(s) URI is fetched, as Gemini fetches public and presigned URLs (127.0.0.1 only; what it got is in
 * {@link #fetched}), and a URI it cannot fetch, or that is not an image, is a 400 INVALID_ARGUMENT.
 * Test and demo code only.
 */
public final class GeminiStandIn implements AutoCloseable {
    public static final Set<String> MODELS = Set.of("gemini-3.1-flash-image", "gemini-3-pro-image",
            "gemini-nano-banana-2.1", "gemini-3.1-flash-lite-image", "gemini-2.5-flash-image");
    private static final Pattern PATH = Pattern.compile("/v1beta/models/([^/:]+):generateContent");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final HttpServer server;
    private final String apiKey;
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private volatile Reply fallback = Reply.image();
    private final Set<String> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final List<Recorded> requests = new CopyOnWriteArrayList<>();
    /** Final images sent per request; a late answer to a request from before {@link #reset} stays out. */
    private final Map<Recorded, List<byte[]>> sentImages = new java.util.concurrent.ConcurrentHashMap<>();
    private final List<Fetched> fetched = new CopyOnWriteArrayList<>();
    private final HttpClient fetcher = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** One {@code fileData} URI the stand-in fetched, and what it got ({@code status} 0: no answer). */
    public record Fetched(String uri, int status, String contentType, byte[] body) {
    }
    private final GeminiBatchEndpoints batch;

    /** One request as it arrived. */
    public record Recorded(String method, String path, String query, Map<String, List<String>> headers, byte[] body,
            long receivedAtMillis) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new IllegalStateException("the request body is not JSON", e);
            }
        }

        public String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name))
                    .map(e -> e.getValue().get(0)).findFirst().orElse(null);
        }
    }

    public GeminiStandIn(int port, String apiKey) throws IOException {
        this(port, apiKey, 32);
    }

    /** With {@code threads} answers in flight at once (the benchmark's 50 concurrent requests need more than 32). */
    public GeminiStandIn(int port, String apiKey, int threads) throws IOException {
        this.apiKey = apiKey;
        this.batch = new GeminiBatchEndpoints(this, apiKey);
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        server.setExecutor(Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "gemini-stand-in");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/", this::handle);
        server.start();
    }

    public int port() {
        return server.getAddress().getPort();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port();
    }

    public GeminiStandIn enqueue(Reply... replies) {
        script.addAll(List.of(replies));
        return this;
    }

    /** The answer when nothing is queued (benchmarks: one realistic size for many requests). */
    public GeminiStandIn answerByDefault(Reply reply) {
        fallback = reply;
        return this;
    }

    /** Every {@code fileData} URI fetched since the last {@link #reset}, in order. */
    public List<Fetched> fetched() {
        return List.copyOf(fetched);
    }

    public List<Recorded> requests() {
        return List.copyOf(requests);
    }

    public Recorded lastRequest() {
        return requests.getLast();
    }

    /** The final (non-thought) images of the last successful answer, in order. */
    public List<byte[]> lastFinalImages() {
        for (Recorded r : requests.reversed()) {
            List<byte[]> sent = sentImages.get(r);
            if (sent != null) {
                return sent;
            }
        }
        return List.of();
    }

    /** The Batch API and the Files API (their requests are not in {@link #requests}). */
    public GeminiBatchEndpoints batch() {
        return batch;
    }

    /** Requests that reached {@code generateContent}. */
    public int calls() {
        return requests.size();
    }

    /** From now on (until {@link #reset}) {@code model} answers 404 like a model Google has shut down. */
    public GeminiStandIn retire(String model) {
        retired.add(model);
        return this;
    }

    /** Forgets recorded requests, pending scripted replies and retired models. */
    public void reset() {
        retired.clear();
        requests.clear();
        script.clear();
        fallback = Reply.image();
        sentImages.clear();
        fetched.clear();
        batch.reset();
    }

    @Override
    public void close() {
        server.stop(0);
        fetcher.close();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            byte[] body = ex.getRequestBody().readAllBytes();
            Recorded rec = new Recorded(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
                    ex.getRequestURI().getRawQuery(), Map.copyOf(ex.getRequestHeaders()), body,
                    System.currentTimeMillis());
            if (batch.handle(ex, rec)) {
                return;
            }
            requests.add(rec);
            Matcher m = PATH.matcher(rec.path());
            if (!"POST".equals(rec.method()) || !m.matches()) {
                send(ex, 404, error(404, "NOT_FOUND", "Method not found."));
                return;
            }
            String model = m.group(1);
            String key = rec.header("x-goog-api-key");
            if (key == null) {
                send(ex, 403, error(403, "PERMISSION_DENIED", "Method doesn't allow unregistered callers (callers "
                        + "without established identity). Please use API Key or other form of API consumer identity to "
                        + "call this API."));
                return;
            }
            if (!key.equals(apiKey)) {
                send(ex, 400, "{\"error\":{\"code\":400,\"message\":\"API key not valid. Please pass a valid API key.\","
                        + "\"status\":\"INVALID_ARGUMENT\",\"details\":[{\"@type\":\"type.googleapis.com/google.rpc.ErrorInfo\","
                        + "\"reason\":\"API_KEY_INVALID\",\"domain\":\"googleapis.com\"}]}}");
                return;
            }
            if (!MODELS.contains(model) || retired.contains(model)) {
                send(ex, 404, error(404, "NOT_FOUND", "models/" + model + " is not found for API version v1beta, or is "
                        + "not supported for generateContent. Call ListModels to see the list of available models and "
                        + "their supported methods."));
                return;
            }
            JsonNode request = rec.json();
            String unreadable = fetchFileData(request);
            if (unreadable != null) {
                send(ex, 400, error(400, "INVALID_ARGUMENT", unreadable));
                return;
            }
            Reply reply = directive(request.at("/contents/0/parts/0/text").asText(""));
            if (reply == null) {
                reply = script.poll();
            }
            if (reply == null) {
                reply = fallback;
            }
            Duration spent = Duration.ZERO;
            if (reply.drawn && reply.kind == Reply.Kind.IMAGES) {
                long started = System.nanoTime();
                imagesFor(model, request, reply); // drawn (and cached) within the reply's delay, not after it
                spent = Duration.ofNanos(System.nanoTime() - started);
            }
            sleep(reply, spent);
            if (reply.kind == Reply.Kind.HANG_UP) {
                throw new IOException("stand-in hangs up without an answer");
            }
            reply.headers.forEach((k, v) -> ex.getResponseHeaders().add(k, v));
            switch (reply.kind) {
                case ERROR, RAW -> send(ex, reply.status, reply.body);
                case PROMPT_BLOCKED -> send(ex, 200, "{\"promptFeedback\":{\"blockReason\":\"" + reply.blockReason
                        + "\"},\"usageMetadata\":{\"promptTokenCount\":31,\"totalTokenCount\":31},\"modelVersion\":\""
                        + model + "\",\"responseId\":\"standin-blocked\"}");
                case FINISH_ONLY -> send(ex, 200, finishOnly(model, reply));
                case IMAGES -> sendImages(ex, model, request, reply, rec);
                case HANG_UP -> throw new IllegalStateException();
            }
        } catch (RuntimeException e) {
            e.printStackTrace();
            send(ex, 500, error(500, "INTERNAL", "stand-in failure: " + e));
        }
    }

    /**
     * Fetches every {@code fileData.fileUri} of the request, as Gemini does; the message of a 400 for the first one
     * that cannot be used, or {@code null}. Only 127.0.0.1: tests send no traffic anywhere else.
     */
    private String fetchFileData(JsonNode request) {
        for (JsonNode content : request.path("contents")) {
            for (JsonNode part : content.path("parts")) {
                JsonNode file = part.has("fileData") ? part.get("fileData") : part.get("file_data");
                if (file == null) {
                    continue;
                }
                String uri = file.path("fileUri").asText(file.path("file_uri").asText(""));
                String mimeType = file.path("mimeType").asText(file.path("mime_type").asText(""));
                String problem = fetchImage(uri, mimeType);
                if (problem != null) {
                    return problem;
                }
            }
        }
        return null;
    }

    private String fetchImage(String uri, String mimeType) {
        URI target;
        try {
            target = URI.create(uri);
        } catch (IllegalArgumentException e) {
            return "Invalid file URI: " + uri;
        }
        String scheme = target.getScheme() == null ? "" : target.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return "Unsupported file uri: " + uri;
        }
        if (!"127.0.0.1".equals(target.getHost()) && !"localhost".equals(target.getHost())) {
            return "Cannot fetch content from the provided URL.";
        }
        HttpResponse<byte[]> got;
        try {
            got = fetcher.send(HttpRequest.newBuilder(target).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            fetched.add(new Fetched(uri, 0, null, new byte[0]));
            return "Cannot fetch content from the provided URL.";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "Cannot fetch content from the provided URL.";
        }
        fetched.add(new Fetched(uri, got.statusCode(), got.headers().firstValue("Content-Type").orElse(null),
                got.body()));
        if (got.statusCode() != 200) {
            return "Cannot fetch content from the provided URL. Please ensure the URL is valid and accessible "
                    + "(status " + got.statusCode() + ").";
        }
        String sniffed = sniff(got.body());
        if (sniffed == null || mimeType == null || !INPUT_TYPES.contains(mimeType.toLowerCase(java.util.Locale.ROOT))) {
            return "Unable to process input image. Please retry or report in "
                    + "https://developers.generativeai.google/guide/troubleshooting";
        }
        return null;
    }

    /** Gemini's input image types. The stand-in has its own sniffing: it runs without the function's classes. */
    private static final Set<String> INPUT_TYPES = Set.of("image/png", "image/jpeg", "image/webp", "image/heic",
            "image/heif");

    private static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "image/jpeg";
        }
        if (b.length >= 12 && ascii(b, 0, "RIFF") && ascii(b, 8, "WEBP")) {
            return "image/webp";
        }
        if (b.length >= 12 && ascii(b, 4, "ftyp")) {
            String brand = new String(b, 8, 4, java.nio.charset.StandardCharsets.US_ASCII);
            return Set.of("heic", "heix", "heim", "heis").contains(brand) ? "image/heic"
                    : Set.of("mif1", "msf1", "heif").contains(brand) ? "image/heif" : null;
        }
        return null;
    }

    private static boolean ascii(byte[] b, int at, String s) {
        for (int i = 0; i < s.length(); i++) {
            if (b[at + i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static final Pattern DIRECTIVE = Pattern.compile("\\[stand-in:([a-z0-9-]+)]");

    /**
     * A prompt can steer the answer, for callers that cannot script the stand-in (parallel batches, other
     * processes): {@code [stand-in:503]}, {@code [stand-in:429]}, {@code [stand-in:blocked]},
     * {@code [stand-in:jpeg]}; a 503 with an odd {@code Retry-After}: {@code [stand-in:retry-after-negative]}
     * ({@code -5}), {@code -absurd} ({@code 99999999999}), {@code -garbage} ({@code soon}); the recorded 429 whose
     * quota of 0 is in ErrorInfo metadata: {@code [stand-in:429-quota-zero]}; the connection closed with no answer at
     * all: {@code [stand-in:hang-up]}; a paid answer without an image: {@code [stand-in:no-image]}.
     */
    private static Reply directive(String prompt) {
        Matcher m = DIRECTIVE.matcher(prompt);
        if (!m.find()) {
            return null;
        }
        return switch (m.group(1)) {
            case "503" -> Reply.unavailable();
            case "429" -> Reply.rateLimited("0.01s");
            case "blocked" -> Reply.promptBlocked("PROHIBITED_CONTENT");
            case "jpeg" -> Reply.image().mimeType("image/jpeg");
            case "retry-after-negative" -> Reply.unavailable().header("Retry-After", "-5");
            case "retry-after-absurd" -> Reply.unavailable().header("Retry-After", "99999999999");
            case "retry-after-garbage" -> Reply.unavailable().header("Retry-After", "soon");
            case "hang-up" -> Reply.hangUp();
            case "no-image" -> Reply.finish("NO_IMAGE", null);
            case "429-quota-zero" -> Reply.recorded("gemini-error__vertexai-sdk-test-data__429-rate-limit-errorinfo.json");
            default -> null;
        };
    }

    private static void sleep(Reply reply, Duration spent) {
        Duration rest = reply.delay.minus(spent);
        if (rest.isPositive()) {
            try {
                Thread.sleep(rest.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static String finishOnly(String model, Reply r) {
        String parts = r.text == null ? "" : ",\"parts\":[{\"text\":" + quote(r.text) + "}]";
        return "{\"candidates\":[{\"content\":{\"role\":\"model\"" + parts + "},\"finishReason\":\"" + r.finishReason
                + "\"" + (r.finishMessage == null ? "" : ",\"finishMessage\":" + quote(r.finishMessage))
                + ",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":25,\"totalTokenCount\":265,"
                + "\"thoughtsTokenCount\":240},\"modelVersion\":\"" + model + "\",\"responseId\":\"standin-finish\"}";
    }

    /**
     * The final images for this request: the pixel size its imageConfig asks for, a colour from the prompt (or,
     * for a {@link Reply#drawn()} reply, the request drawn on the image).
     */
    public static List<byte[]> imagesFor(String model, JsonNode request, Reply reply) {
        String ratio = request.at("/generationConfig/imageConfig/aspectRatio").asText(null);
        String size = request.at("/generationConfig/imageConfig/imageSize").asText(null);
        int[] wh = TestImages.dimensions(model, ratio, size);
        int colour = request.at("/contents/0/parts/0/text").asText("").hashCode() & 0xffffff;
        List<byte[]> out = new ArrayList<>();
        for (int i = 0; i < reply.images; i++) {
            if (reply.drawn) {
                out.add(DrawnImages.draw(reply.mimeType.equals("image/jpeg") ? "jpg" : "png", model,
                        request.at("/contents/0/parts/0/text").asText(""), ratio, size, i));
                continue;
            }
            int c = colour ^ (i * 0x101010);
            out.add(reply.mimeType.equals("image/jpeg") ? TestImages.jpeg(wh[0], wh[1], c, reply.padTo)
                    : TestImages.png(wh[0], wh[1], c, reply.padTo));
        }
        return out;
    }

    private void sendImages(HttpExchange ex, String model, JsonNode request, Reply r, Recorded rec)
            throws IOException {
        boolean text = false;
        for (JsonNode m : request.at("/generationConfig/responseModalities")) {
            text |= m.asText().equalsIgnoreCase("TEXT");
        }
        String inline = r.snakeCase ? "inline_data" : "inlineData";
        String mime = r.snakeCase ? "mime_type" : "mimeType";
        List<byte[]> finals = imagesFor(model, request, r);
        sentImages.put(rec, finals);
        String declared = r.declaredMimeType != null ? r.declaredMimeType : r.mimeType;
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            StringBuilder head = new StringBuilder();
            head.append(r.arrayWrapped ? "[" : "").append("{\"candidates\":[{\"content\":{\"role\":\"model\",\"parts\":[");
            boolean first = true;
            for (int i = 0; i < r.thoughtImages; i++) {
                head.append(first ? "" : ",").append("{\"text\":\"**Planning the composition**\",\"thought\":true},");
                head.append("{\"").append(inline).append("\":{\"").append(mime).append("\":\"image/jpeg\",\"data\":\"")
                        .append(Base64.getEncoder().encodeToString(TestImages.jpeg(64, 64, 0x808080 + i, 0)))
                        .append("\"},\"thought\":true}");
                first = false;
            }
            if (text) {
                head.append(first ? "" : ",").append("{\"text\":")
                        .append(quote(r.text == null ? "Here is your image." : r.text))
                        .append(",\"thoughtSignature\":\"CtgBAXLI2nxQ4kM3Vw==\"}");
                first = false;
            }
            out.write(head.toString().getBytes(StandardCharsets.UTF_8));
            for (int i = 0; i < finals.size(); i++) {
                boolean last = i == finals.size() - 1;
                String data = r.urlSafeBase64 ? Base64.getUrlEncoder().withoutPadding().encodeToString(finals.get(i))
                        : Base64.getEncoder().encodeToString(finals.get(i));
                if (r.badBase64) {
                    data = data.substring(0, data.length() / 2) + "*%$" + data.substring(data.length() / 2);
                }
                String part = (first ? "" : ",") + "{\"" + inline + "\":{\"" + mime + "\":\"" + declared + "\",\"data\":\"";
                out.write(part.getBytes(StandardCharsets.UTF_8));
                if (r.truncate && last) {
                    out.write(data.substring(0, data.length() / 2).getBytes(StandardCharsets.US_ASCII));
                    if (r.stall.isPositive()) {
                        out.flush();
                        sleep(Reply.image().delay(r.stall), Duration.ZERO);
                    }
                    return;
                }
                out.write(data.getBytes(StandardCharsets.US_ASCII));
                out.write(("\"}" + (r.lastImageMarkedThought && last ? ",\"thought\":true" : "")
                        + ",\"thoughtSignature\":\"EqQCCqECAXLI2nyR8bA=\"}").getBytes(StandardCharsets.UTF_8));
                first = false;
            }
            int imageTokens = 1120 * finals.size();
            String tail = "]},\"finishReason\":\"" + r.finishReason + "\",\"index\":0}],\"usageMetadata\":{"
                    + "\"promptTokenCount\":18,\"candidatesTokenCount\":" + (imageTokens + 10)
                    + ",\"totalTokenCount\":" + (imageTokens + 274) + ",\"thoughtsTokenCount\":246,"
                    + "\"promptTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":18}],"
                    + "\"candidatesTokensDetails\":[{\"modality\":\"TEXT\",\"tokenCount\":10},{\"modality\":\"IMAGE\","
                    + "\"tokenCount\":" + imageTokens + "}]},\"modelVersion\":\"" + (r.modelVersion != null ? r.modelVersion : model)
                    + "\",\"responseId\":\"standin-" + System.nanoTime() + "\"}" + (r.arrayWrapped ? "]" : "");
            if (r.snakeCase) {
                tail = tail.replace("finishReason", "finish_reason").replace("usageMetadata", "usage_metadata")
                        .replace("promptTokenCount", "prompt_token_count").replace("modelVersion", "model_version");
            }
            out.write(tail.getBytes(StandardCharsets.UTF_8));
        }
    }

    private static String error(int code, String status, String message) {
        return "{\"error\":{\"code\":" + code + ",\"message\":" + quote(message) + ",\"status\":\"" + status + "\"}}";
    }

    private static void send(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length);
        ex.getResponseBody().write(bytes);
    }

    static String quote(String s) {
        try {
            return JSON.writeValueAsString(s);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs a stand-in until killed: {@code GeminiStandIn [port] [apiKey]}. */
    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 0;
        String key = args.length > 1 ? args[1] : "local-demo-key";
        try (GeminiStandIn standIn = new GeminiStandIn(port, key)) {
            standIn.answerByDefault(Reply.image().drawn());
            System.out.println("Gemini stand-in on " + standIn.baseUrl());
            Thread.currentThread().join();
        }
    }
}
