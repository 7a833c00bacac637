package dev.imagefn.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Batch API and the Files API of the {@link GeminiStandIn}, in the documented wire format:
 * {@code POST /v1beta/models/{model}:batchGenerateContent} (inline requests or a JSONL {@code fileName}),
 * {@code GET /v1beta/batches/{id}} whose state advances one step per GET (by default PENDING → RUNNING → SUCCEEDED;
 * scripted with {@link #nextStates}), results inline (inline input) or in a responses file (file input) fetched at
 * {@code GET /download/v1beta/files/{id}:download?alt=media}, and the Files API's resumable upload
 * ({@code POST /upload/v1beta/files}, then the upload URL), and {@code GET /v1beta/batches} (paged, newest first).
 * int64 counts are JSON strings, as Google sends them.
 */
public final class GeminiBatchEndpoints {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CREATE = Pattern.compile("/v1beta/models/([^/:]+):batchGenerateContent");
    private static final Pattern GET = Pattern.compile("/v1beta/(batches/[A-Za-z0-9_-]+)");
    private static final Pattern CANCEL = Pattern.compile("/v1beta/(batches/[A-Za-z0-9_-]+):cancel");
    private static final Pattern DOWNLOAD = Pattern.compile("/download/v1beta/(files/[A-Za-z0-9_-]+):download");
    private static final String BATCH_TYPE = "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch";
    private static final String OUTPUT_TYPE =
            "type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatchOutput";

    private final GeminiStandIn standIn;
    private final String apiKey;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<String, Batch> batches = new ConcurrentHashMap<>();
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final List<GeminiStandIn.Recorded> recorded = new CopyOnWriteArrayList<>();
    private volatile List<String> defaultStates = List.of("BATCH_STATE_RUNNING", "BATCH_STATE_SUCCEEDED");
    private volatile boolean jobSpelling;
    private volatile int listPageCap = 100;
    private volatile int loseCreateAnswers;

    /** One batch: its requests in order ({@code key} → GenerateContentRequest) and the states still to come. */
    public record Batch(String name, String model, String displayName, List<Map.Entry<String, JsonNode>> requests,
            boolean fileInput, Deque<String> upcoming, String[] current) {
        public String state() {
            return current[0];
        }
    }

    GeminiBatchEndpoints(GeminiStandIn standIn, String apiKey) {
        this.standIn = standIn;
        this.apiKey = apiKey;
    }

    /** The states the next batches step through, one per GET (after PENDING). */
    public GeminiBatchEndpoints nextStates(String... states) {
        defaultStates = List.of(states);
        return this;
    }

    /** States go out spelled {@code JOB_STATE_*}, as the Gemini batch guide's REST examples compare them. */
    public GeminiBatchEndpoints spellStatesAsJobStates() {
        jobSpelling = true;
        return this;
    }

    /** Sets the states a batch still steps through. */
    public GeminiBatchEndpoints script(String name, String... states) {
        Batch b = batches.get(name);
        b.upcoming().clear();
        b.upcoming().addAll(List.of(states));
        return this;
    }

    public List<Batch> batches() {
        return batches.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    /** Batch, file and upload requests as they arrived. */
    public List<GeminiStandIn.Recorded> requests() {
        return List.copyOf(recorded);
    }

    /** Requests that created a batch: each one is paid (at the batch price). */
    public int created() {
        return (int) recorded.stream().filter(r -> CREATE.matcher(r.path()).matches()).count();
    }

    public void reset() {
        batches.clear();
        files.clear();
        recorded.clear();
        defaultStates = List.of("BATCH_STATE_RUNNING", "BATCH_STATE_SUCCEEDED");
        jobSpelling = false;
        listPageCap = 100;
        loseCreateAnswers = 0;
    }

    /** Answers a batch, file or upload request; false when the request is none of them. */
    boolean handle(HttpExchange ex, GeminiStandIn.Recorded rec) throws IOException {
        String path = rec.path();
        Matcher create = CREATE.matcher(path);
        Matcher get = GET.matcher(path);
        Matcher download = DOWNLOAD.matcher(path);
        Matcher cancel = CANCEL.matcher(path);
        boolean upload = path.equals("/upload/v1beta/files");
        boolean list = path.equals("/v1beta/batches");
        if (!create.matches() && !get.matches() && !download.matches() && !cancel.matches() && !upload && !list) {
            return false;
        }
        recorded.add(rec);
        String key = rec.header("x-goog-api-key");
        if (key == null || !key.equals(apiKey) && !(upload && rec.query() != null && rec.query().startsWith("upload_id="))) {
            send(ex, 403, "{\"error\":{\"code\":403,\"message\":\"API key missing or not valid.\",\"status\":"
                    + "\"PERMISSION_DENIED\"}}", Map.of());
            return true;
        }
        if (create.matches() && rec.method().equals("POST")) {
            create(ex, create.group(1), rec.json());
        } else if (get.matches() && rec.method().equals("GET")) {
            get(ex, get.group(1));
        } else if (list && rec.method().equals("GET")) {
            list(ex, rec.query());
        } else if (cancel.matches() && rec.method().equals("POST")) {
            cancel(ex, cancel.group(1));
        } else if (download.matches() && rec.method().equals("GET") && "alt=media".equals(rec.query())) {
            byte[] file = files.get(download.group(1));
            if (file == null) {
                send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"File not found.\",\"status\":\"NOT_FOUND\"}}",
                        Map.of());
            } else {
                send(ex, 200, new String(file, StandardCharsets.UTF_8), Map.of());
            }
        } else if (upload && rec.method().equals("POST")) {
            upload(ex, rec);
        } else {
            send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"Not found.\",\"status\":\"NOT_FOUND\"}}", Map.of());
        }
        return true;
    }

    private void upload(HttpExchange ex, GeminiStandIn.Recorded rec) throws IOException {
        String command = rec.header("X-Goog-Upload-Command");
        if ("start".equals(command) && "resumable".equals(rec.header("X-Goog-Upload-Protocol"))) {
            String url = standIn.baseUrl() + "/upload/v1beta/files?upload_id=u" + ids.incrementAndGet();
            send(ex, 200, "", Map.of("X-Goog-Upload-URL", url, "X-Goog-Upload-Status", "active"));
            return;
        }
        if (command != null && command.contains("finalize") && rec.query() != null) {
            String name = "files/in-" + rec.query().substring("upload_id=".length());
            files.put(name, rec.body());
            send(ex, 200, "{\"file\":{\"name\":\"" + name + "\",\"mimeType\":\"application/jsonl\",\"sizeBytes\":\""
                    + rec.body().length + "\",\"state\":\"ACTIVE\"}}", Map.of("X-Goog-Upload-Status", "final"));
            return;
        }
        send(ex, 400, "{\"error\":{\"code\":400,\"message\":\"Bad upload.\",\"status\":\"INVALID_ARGUMENT\"}}", Map.of());
    }

    private void create(HttpExchange ex, String model, JsonNode body) throws IOException {
        if (!GeminiStandIn.MODELS.contains(model)) {
            send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"models/" + model + " is not found.\",\"status\":"
                    + "\"NOT_FOUND\"}}", Map.of());
            return;
        }
        JsonNode input = body.at("/batch/inputConfig");
        List<Map.Entry<String, JsonNode>> requests = new ArrayList<>();
        boolean fileInput = input.has("fileName");
        if (fileInput) {
            byte[] file = files.get(input.get("fileName").asText());
            if (file == null) {
                send(ex, 400, "{\"error\":{\"code\":400,\"message\":\"File not found.\",\"status\":\"INVALID_ARGUMENT\"}}",
                        Map.of());
                return;
            }
            for (String line : new String(file, StandardCharsets.UTF_8).split("\n")) {
                if (!line.isBlank()) {
                    JsonNode l = JSON.readTree(line);
                    requests.add(Map.entry(l.get("key").asText(), l.get("request")));
                }
            }
        } else {
            for (JsonNode r : input.at("/requests/requests")) {
                requests.add(Map.entry(r.at("/metadata/key").asText(), r.get("request")));
            }
        }
        if (requests.isEmpty()) {
            send(ex, 400, "{\"error\":{\"code\":400,\"message\":\"The batch has no requests.\",\"status\":"
                    + "\"INVALID_ARGUMENT\"}}", Map.of());
            return;
        }
        String name = "batches/sb" + ids.incrementAndGet();
        Batch b = new Batch(name, model, body.at("/batch/displayName").asText(""), requests, fileInput,
                new ArrayDeque<>(defaultStates), new String[] {"BATCH_STATE_PENDING"});
        batches.put(name, b);
        if (loseCreateAnswers > 0) {
            loseCreateAnswers--;
            ex.close();
            return;
        }
        send(ex, 200, operation(b).toString(), Map.of());
    }

    /** The batch, or {@code null} after answering Gemini's 404. */
    private Batch batchOr404(HttpExchange ex, String name) throws IOException {
        Batch b = batches.get(name);
        if (b == null) {
            send(ex, 404, "{\"error\":{\"code\":404,\"message\":\"Batch not found.\",\"status\":\"NOT_FOUND\"}}",
                    Map.of());
        }
        return b;
    }

    private static boolean over(String state) {
        return List.of("BATCH_STATE_SUCCEEDED", "BATCH_STATE_FAILED", "BATCH_STATE_CANCELLED", "BATCH_STATE_EXPIRED")
                .contains(state);
    }

    /** A batch not over yet becomes CANCELLED (its requests are not run); the answer is an empty object. */
    private void cancel(HttpExchange ex, String name) throws IOException {
        Batch b = batchOr404(ex, name);
        if (b == null) {
            return;
        }
        synchronized (b) {
            if (!over(b.state())) {
                b.upcoming().clear();
                b.current()[0] = "BATCH_STATE_CANCELLED";
            }
        }
        send(ex, 200, "{}", Map.of());
    }

    /** Requests that cancelled a batch. */
    public int cancelled() {
        return (int) recorded.stream().filter(r -> CANCEL.matcher(r.path()).matches()).count();
    }

    private void get(HttpExchange ex, String name) throws IOException {
        Batch b = batchOr404(ex, name);
        if (b == null) {
            return;
        }
        synchronized (b) {
            if (!b.upcoming().isEmpty()) {
                b.current()[0] = b.upcoming().poll();
            }
        }
        send(ex, 200, operation(b).toString(), Map.of());
    }

    /**
     * {@code GET /v1beta/batches}: newest first, {@code pageSize} per page (at most {@link #listPageCap}), an opaque
     * {@code nextPageToken} while more remain; finished batches come with their results, as a GET gives them.
     */
    private void list(HttpExchange ex, String query) throws IOException {
        int size = listPageCap;
        int from = 0;
        for (String param : query == null ? new String[0] : query.split("&")) {
            String[] kv = param.split("=", 2);
            if (kv[0].equals("pageSize") && kv.length == 2) {
                size = Math.min(size, Integer.parseInt(kv[1]));
            } else if (kv[0].equals("pageToken") && kv.length == 2) {
                from = Integer.parseInt(new String(Base64.getUrlDecoder().decode(java.net.URLDecoder.decode(kv[1],
                        StandardCharsets.UTF_8)), StandardCharsets.UTF_8).substring("after:".length()));
            }
        }
        List<Batch> newest = new ArrayList<>(batches.values());
        newest.sort((a, b) -> Integer.compare(number(b), number(a)));
        ObjectNode page = JSON.createObjectNode();
        ArrayNode operations = page.putArray("operations");
        for (int i = from; i < Math.min(newest.size(), from + size); i++) {
            operations.add(operation(newest.get(i)));
        }
        if (from + size < newest.size()) {
            page.put("nextPageToken", Base64.getUrlEncoder().encodeToString(("after:" + (from + size))
                    .getBytes(StandardCharsets.UTF_8)));
        }
        send(ex, 200, page.toString(), Map.of());
    }

    private static int number(Batch b) {
        return Integer.parseInt(b.name().substring("batches/sb".length()));
    }

    /** Lists give at most this many batches a page. */
    public GeminiBatchEndpoints listPageCap(int cap) {
        listPageCap = cap;
        return this;
    }

    /** The next {@code n} creates make their batch, then close the connection without an answer. */
    public GeminiBatchEndpoints loseCreateAnswers(int n) {
        loseCreateAnswers = n;
        return this;
    }

    private ObjectNode operation(Batch b) {
        String displayName = b.displayName();
        ObjectNode op = JSON.createObjectNode();
        op.put("name", b.name());
        ObjectNode meta = op.putObject("metadata");
        meta.put("@type", BATCH_TYPE);
        meta.put("model", "models/" + b.model());
        meta.put("displayName", displayName);
        meta.put("state", jobSpelling ? b.state().replace("BATCH_STATE_", "JOB_STATE_") : b.state());
        boolean succeeded = b.state().equals("BATCH_STATE_SUCCEEDED");
        boolean over = over(b.state());
        ObjectNode stats = meta.putObject("batchStats");
        stats.put("requestCount", Integer.toString(b.requests().size()));
        stats.put("successfulRequestCount", succeeded ? Integer.toString(b.requests().size()) : "0");
        stats.put("pendingRequestCount", over ? "0" : Integer.toString(b.requests().size()));
        if (over) {
            op.put("done", true);
        }
        if (!succeeded) {
            return op;
        }
        ObjectNode response = op.putObject("response");
        response.put("@type", OUTPUT_TYPE);
        if (b.fileInput()) {
            String file = "files/out-" + b.name().substring("batches/".length());
            StringBuilder lines = new StringBuilder();
            for (var r : b.requests()) {
                ObjectNode line = JSON.createObjectNode();
                line.put("key", r.getKey());
                answer(line, b.model(), r.getValue());
                lines.append(line).append('\n');
            }
            files.put(file, lines.toString().getBytes(StandardCharsets.UTF_8));
            response.put("responsesFile", file);
        } else {
            ArrayNode inlined = response.putObject("inlinedResponses").putArray("inlinedResponses");
            for (var r : b.requests()) {
                ObjectNode item = inlined.addObject();
                answer(item, b.model(), r.getValue());
                item.putObject("metadata").put("key", r.getKey());
            }
        }
        return op;
    }

    /** {@code response} (an image, or a prompt block for {@code [stand-in:blocked]}) or {@code error}. */
    private static void answer(ObjectNode into, String model, JsonNode request) {
        String prompt = request.at("/contents/0/parts/0/text").asText("");
        if (prompt.contains("[stand-in:batch-error]")) {
            into.putObject("error").put("code", 400).put("message", "Request contains an invalid argument.")
                    .put("status", "INVALID_ARGUMENT");
            return;
        }
        ObjectNode response = into.putObject("response");
        if (prompt.contains("[stand-in:blocked]")) {
            response.putObject("promptFeedback").put("blockReason", "PROHIBITED_CONTENT");
            return;
        }
        byte[] image = GeminiStandIn.imagesFor(model, request, Reply.image()).getLast();
        ObjectNode candidate = response.putArray("candidates").addObject();
        ArrayNode parts = candidate.putObject("content").put("role", "model").putArray("parts");
        parts.addObject().putObject("inlineData").put("mimeType", "image/png")
                .put("data", Base64.getEncoder().encodeToString(image));
        candidate.put("finishReason", "STOP").put("index", 0);
        response.putObject("usageMetadata").put("promptTokenCount", 18).put("candidatesTokenCount", 1120)
                .put("totalTokenCount", 1138);
        response.put("modelVersion", model);
        response.put("responseId", "standin-batch");
    }

    private static void send(HttpExchange ex, int status, String body, Map<String, String> headers) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        headers.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.getResponseHeaders().set("Content-Type", "application/json; charset=UTF-8");
        ex.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            ex.getResponseBody().write(bytes);
        }
    }
}
