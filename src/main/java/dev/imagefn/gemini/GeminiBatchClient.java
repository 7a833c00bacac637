package dev.imagefn.gemini;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ErrorCode;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.batch.BatchGateway;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Consumer;

/**
 * {@link BatchGateway} on Gemini's Batch API (README, Batch mode): {@code models/{model}:batchGenerateContent} with
 * inline requests, or with a JSONL file sent through the Files API's resumable upload when they would be too large;
 * {@code batches/{id}} to poll; results inline or in a responses file fetched from the {@code /download/} path.
 */
@ApplicationScoped
public class GeminiBatchClient implements BatchGateway {
    /** Image data in one answer is long: allow a string as large as an image may be as base64. */
    private final JsonFactory json;
    private static final int LIST_PAGE_SIZE = 100;
    private static final int MAX_LIST_PAGES = 50;
    private final HttpClient http;
    private final String base;
    private final String apiKey;
    private final long inlineMaxBytes;
    private final GeminiResponseReader reader;
    private final Duration timeout;
    private final ScheduledExecutorService timer = DeadlineWatch.timer();

    @Inject
    public GeminiBatchClient(ImagefnConfig config) {
        this.base = config.gemini().baseUrl().toString().replaceAll("/+$", "");
        this.apiKey = GeminiImageGenerator.checkedKey(config.gemini().apiKey());
        this.inlineMaxBytes = config.pipeline().batchInlineMaxBytes();
        this.reader = new GeminiResponseReader(config.limits().maxImageBytes(), config.limits().maxImagesPerAnswer());
        this.timeout = config.gemini().timeout();
        this.http = HttpClient.newBuilder().connectTimeout(config.gemini().connectTimeout()).build();
        long maxChars = Math.min(Integer.MAX_VALUE - 8, config.limits().maxImageBytes() * 4 / 3 + 1024);
        this.json = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) maxChars).build()).build();
    }

    @Override
    public String submit(String model, String displayName, List<Request> requests, Deadline deadline) {
        List<byte[]> bodies = requests.stream().map(r -> GeminiRequestWriter.write(r.request())).toList();
        long total = bodies.stream().mapToLong(b -> b.length + 64L).sum();
        byte[] body;
        if (total < inlineMaxBytes) {
            body = write(g -> {
                g.writeObjectFieldStart("batch");
                g.writeStringField("displayName", displayName);
                g.writeObjectFieldStart("inputConfig");
                g.writeObjectFieldStart("requests");
                g.writeArrayFieldStart("requests");
                for (int i = 0; i < requests.size(); i++) {
                    g.writeStartObject();
                    g.writeFieldName("request");
                    g.writeRawValue(new String(bodies.get(i), StandardCharsets.UTF_8));
                    g.writeObjectFieldStart("metadata");
                    g.writeStringField("key", requests.get(i).key());
                    g.writeEndObject();
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
                g.writeEndObject();
                g.writeEndObject();
            });
        } else {
            String file = upload(displayName, jsonl(requests, bodies), deadline);
            body = write(g -> {
                g.writeObjectFieldStart("batch");
                g.writeStringField("displayName", displayName);
                g.writeObjectFieldStart("inputConfig");
                g.writeStringField("fileName", file);
                g.writeEndObject();
                g.writeEndObject();
            });
        }
        HttpResponse<byte[]> response;
        try {
            response = send(HttpRequest.newBuilder(URI.create(base + "/v1beta/models/" + model
                    + ":batchGenerateContent")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)), deadline, "create the batch");
        } catch (NotFound gone) {
            throw new ImageFnException(ErrorCode.MODEL_UNAVAILABLE, "model '" + model + "' is not available on the"
                    + " Gemini API (it may be retired): " + gone.getMessage(), Map.of("model", model), null, null);
        }
        String name = nested(response.body(), "name");
        if (name == null || !name.startsWith("batches/")) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "Gemini's answer to the batch names no batch");
        }
        return name;
    }

    private static byte[] jsonl(List<Request> requests, List<byte[]> bodies) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < requests.size(); i++) {
            String key = requests.get(i).key();
            out.writeBytes(("{\"key\":\"" + key + "\",\"request\":").getBytes(StandardCharsets.UTF_8));
            out.writeBytes(bodies.get(i));
            out.writeBytes("}\n".getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    /** The Files API's resumable upload: start (the upload URL comes back in a header), then upload and finalize. */
    private String upload(String displayName, byte[] content, Deadline deadline) {
        byte[] start = write(g -> {
            g.writeObjectFieldStart("file");
            g.writeStringField("display_name", displayName);
            g.writeEndObject();
        });
        HttpResponse<byte[]> started = send(HttpRequest.newBuilder(URI.create(base + "/upload/v1beta/files"))
                .header("X-Goog-Upload-Protocol", "resumable").header("X-Goog-Upload-Command", "start")
                .header("X-Goog-Upload-Header-Content-Length", Integer.toString(content.length))
                .header("X-Goog-Upload-Header-Content-Type", "application/jsonl")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(start)), deadline, "start the file upload");
        String url = started.headers().firstValue("X-Goog-Upload-URL").orElseThrow(() -> new ImageFnException(
                ErrorCode.UPSTREAM_BAD_RESPONSE, "the Files API gave no upload URL"));
        HttpResponse<byte[]> uploaded = send(HttpRequest.newBuilder(URI.create(url))
                .header("X-Goog-Upload-Offset", "0").header("X-Goog-Upload-Command", "upload, finalize")
                .POST(HttpRequest.BodyPublishers.ofByteArray(content)), deadline, "upload the batch file");
        String name = nested(uploaded.body(), "file", "name");
        if (name == null || !name.startsWith("files/")) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "the Files API's answer names no file");
        }
        return name;
    }

    @Override
    public Status get(String name, Deadline deadline) {
        String state = readOperation(name, deadline, null);
        return new Status(name, state == null ? Status.NOT_FOUND : state);
    }

    /** {@code GET batches} page by page, newest first as Gemini lists them, until a batch has the display name. */
    @Override
    public Optional<String> find(String displayName, Deadline deadline) {
        String token = null;
        for (int page = 0; page < MAX_LIST_PAGES; page++) {
            String query = "?pageSize=" + LIST_PAGE_SIZE
                    + (token == null ? "" : "&pageToken=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            HttpResponse<InputStream> response = sendStreaming(HttpRequest.newBuilder(URI.create(base
                    + "/v1beta/batches" + query)).GET(), deadline, "list the batches");
            String found = null;
            String next = null;
            try (InputStream in = body(response, deadline, "list the batches");
                    JsonParser p = json.createParser(in)) {
                expectObject(p);
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String field = p.currentName();
                    JsonToken value = p.nextToken();
                    if ((field.equals("operations") || field.equals("batches")) && value == JsonToken.START_ARRAY) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            String name = listedName(p, displayName);
                            if (found == null) {
                                found = name;
                            }
                        }
                    } else if (field.equals("nextPageToken") && value == JsonToken.VALUE_STRING) {
                        next = p.getText();
                    } else {
                        p.skipChildren();
                    }
                }
            } catch (IOException e) {
                throw new ImageFnException(readFailure(e, ErrorCode.UPSTREAM_BAD_RESPONSE),
                        "Gemini's list of batches could not be read: " + e.getMessage(), e);
            }
            if (found != null) {
                return Optional.of(found);
            }
            if (next == null || next.isEmpty()) {
                return Optional.empty();
            }
            token = next;
        }
        throw new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "no batch named " + displayName + " in the first "
                + MAX_LIST_PAGES * LIST_PAGE_SIZE + " Gemini lists");
    }

    /** The name of the listed batch the parser is in, when its display name is {@code displayName}. */
    private static String listedName(JsonParser p, String displayName) throws IOException {
        String name = null;
        boolean match = false;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            JsonToken value = p.nextToken();
            if (field.equals("name") && value == JsonToken.VALUE_STRING) {
                name = p.getText();
            } else if (field.equals("metadata") && value == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken v = p.nextToken();
                    if (f.equals("displayName") && v == JsonToken.VALUE_STRING) {
                        match = displayName.equals(p.getText());
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return match && name != null && name.matches("batches/[A-Za-z0-9_-]+") ? name : null;
    }

    @Override
    public void results(String name, Deadline deadline, Consumer<Result> each) {
        String state = readOperation(name, deadline, each);
        if (state == null) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "Gemini no longer knows " + name);
        }
        if (!Status.SUCCEEDED.equals(state)) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, name + " is " + state
                    + ", not succeeded: no answers to collect");
        }
    }

    @Override
    public void cancel(String name, Deadline deadline) {
        send(HttpRequest.newBuilder(URI.create(base + "/v1beta/" + checkedName(name) + ":cancel"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString("{}")), deadline,
                "cancel " + name);
    }

    private static String checkedName(String name) {
        if (!name.matches("batches/[A-Za-z0-9_-]+")) {
            throw new ImageFnException(ErrorCode.INTERNAL, "not a batch name: " + name);
        }
        return name;
    }

    /** {@code GET batches/…}, read as it arrives: its state, or {@code null} when Gemini does not know the batch. */
    private String readOperation(String name, Deadline deadline, Consumer<Result> each) {
        HttpResponse<InputStream> response;
        try {
            response = sendStreaming(HttpRequest.newBuilder(URI.create(base + "/v1beta/" + checkedName(name))).GET(),
                    deadline, "poll " + name);
        } catch (NotFound gone) {
            return null;
        }
        try (InputStream in = body(response, deadline, "poll " + name)) {
            return read(in, each, deadline);
        } catch (IOException e) {
            throw new ImageFnException(readFailure(e, ErrorCode.UPSTREAM_BAD_RESPONSE), "the batch " + name
                    + " could not be read: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Reads the operation as it arrives and returns its state; with {@code each}, also hands over its answers
     * (inline, or from the responses file), each decoded on its own. Without, answers are skipped unread.
     */
    private String read(InputStream in, Consumer<Result> each, Deadline deadline) throws IOException {
        String state = null;
        boolean done = false;
        boolean failed = false;
        String responsesFile = null;
        try (JsonParser p = json.createParser(in)) {
            expectObject(p);
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                JsonToken v = p.nextToken();
                switch (field) {
                    case "state" -> state = p.getText();
                    case "done" -> done = v == JsonToken.VALUE_TRUE;
                    case "error" -> {
                        failed = true;
                        p.skipChildren();
                    }
                    case "metadata" -> state = firstNonNull(state, stateOf(p));
                    case "response", "output" -> {
                        if (each != null) {
                            responsesFile = output(p, each);
                        } else if (state != null) {
                            return state; // a poll: the answers (every image, inline) are not read, nor fetched
                        } else {
                            p.skipChildren();
                        }
                    }
                    default -> p.skipChildren();
                }
            }
        }
        if (responsesFile != null) {
            download(responsesFile, deadline, each);
        }
        state = Status.normalised(state);
        if (done && !Status.over(state)) {
            // Done is done, whatever (if any) state came with it: a state not known here must not keep it running.
            state = failed ? Status.FAILED : Status.SUCCEEDED;
        } else if (state == null) {
            state = "BATCH_STATE_PENDING";
        }
        return state;
    }

    private static String stateOf(JsonParser p) throws IOException {
        String state = null;
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            p.nextToken();
            if (f.equals("state")) {
                state = p.getText();
            } else {
                p.skipChildren();
            }
        }
        return state;
    }

    /** {@code inlinedResponses.inlinedResponses[]} to {@code each}; returns {@code responsesFile}, if any. */
    private String output(JsonParser p, Consumer<Result> each) throws IOException {
        String file = null;
        if (p.currentToken() != JsonToken.START_OBJECT) {
            p.skipChildren();
            return null;
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            if (f.equals("responsesFile")) {
                file = p.getText();
            } else if (f.equals("inlinedResponses") && v == JsonToken.START_OBJECT) {
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String inner = p.currentName();
                    if (p.nextToken() == JsonToken.START_ARRAY && inner.equals("inlinedResponses")) {
                        while (p.nextToken() == JsonToken.START_OBJECT) {
                            each.accept(result(p, "metadata"));
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            } else {
                p.skipChildren();
            }
        }
        return file;
    }

    /** One answer: {@code response} or {@code error}, and its key (top-level, or in {@code metadata}). */
    private Result result(JsonParser p, String keyHolder) throws IOException {
        String key = null;
        byte[] response = null;
        byte[] error = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String f = p.currentName();
            JsonToken v = p.nextToken();
            switch (f) {
                case "key" -> key = v.isScalarValue() ? p.getText() : skip(p);
                case "response" -> response = copy(p);
                case "error" -> error = copy(p);
                default -> {
                    if (f.equals(keyHolder) && v == JsonToken.START_OBJECT) {
                        while (p.nextToken() == JsonToken.FIELD_NAME) {
                            String m = p.currentName();
                            p.nextToken();
                            if (m.equals("key")) {
                                key = p.getText();
                            } else {
                                p.skipChildren();
                            }
                        }
                    } else {
                        p.skipChildren();
                    }
                }
            }
        }
        return toResult(key, response, error);
    }

    private Result toResult(String key, byte[] response, byte[] error) {
        if (response != null) {
            try {
                GeminiResponse r = reader.read(new ByteArrayInputStream(response));
                return new Result(key, GeminiImageGenerator.toGeneration(r, null), null);
            } catch (ImageFnException e) {
                return new Result(key, null, e);
            } catch (IOException | RuntimeException e) {
                return new Result(key, null, new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE,
                        "the batch answer could not be read: " + e.getMessage()));
            }
        }
        if (error != null) {
            GeminiError e = GeminiError.parse(0, wrapError(error));
            ErrorCode code = e.code() == 400 || "INVALID_ARGUMENT".equals(e.status()) ? ErrorCode.INVALID_REQUEST
                    : ErrorCode.UPSTREAM_UNAVAILABLE;
            return new Result(key, null, new ImageFnException(code, "Gemini failed this batch request ("
                    + (e.status() == null ? e.code() : e.status()) + "): " + e.safeMessage(apiKey)));
        }
        return new Result(key, null, new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE,
                "the batch answer holds neither a response nor an error"));
    }

    /** A batch entry's {@code error} is a bare Status; the error reader expects {@code {"error": Status}}. */
    private static byte[] wrapError(byte[] status) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(status.length + 16);
        out.writeBytes("{\"error\":".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(status);
        out.writeBytes("}".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** The responses file: one JSON answer per line, {@code {"key":…,"response":…}} or {@code {"key":…,"error":…}}. */
    private void download(String file, Deadline deadline, Consumer<Result> each) {
        if (!file.matches("files/[A-Za-z0-9_-]+")) {
            throw new ImageFnException(ErrorCode.UPSTREAM_BAD_RESPONSE, "not a file name: " + file);
        }
        HttpResponse<InputStream> response = sendStreaming(HttpRequest.newBuilder(URI.create(base
                + "/download/v1beta/" + file + ":download?alt=media")).GET(), deadline, "download " + file);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(body(response, deadline, "download " + file),
                StandardCharsets.UTF_8))) {
            for (String line; (line = lines.readLine()) != null; ) {
                if (line.isBlank()) {
                    continue;
                }
                try (JsonParser p = json.createParser(line)) {
                    expectObject(p);
                    each.accept(result(p, "metadata"));
                }
            }
        } catch (IOException e) {
            throw new ImageFnException(readFailure(e, ErrorCode.UPSTREAM_BAD_RESPONSE), "the responses file " + file
                    + " could not be read: " + e.getMessage(), e);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest.Builder request, Deadline deadline, String what) {
        HttpResponse<InputStream> r = sendStreaming(request, deadline, what);
        try (InputStream in = body(r, deadline, what)) {
            return new Buffered(r, in.readAllBytes());
        } catch (IOException e) {
            throw new ImageFnException(readFailure(e, ErrorCode.UPSTREAM_UNAVAILABLE), "could not " + what + ": " + e,
                    e);
        }
    }

    private HttpResponse<InputStream> sendStreaming(HttpRequest.Builder request, Deadline deadline, String what) {
        Duration wait = deadline.remaining().compareTo(timeout) < 0 ? deadline.remaining() : timeout;
        HttpResponse<InputStream> r;
        try {
            r = http.send(request.header("x-goog-api-key", apiKey).timeout(wait.isNegative() || wait.isZero()
                    ? Duration.ofMillis(1) : wait).build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new ImageFnException(ErrorCode.UPSTREAM_UNAVAILABLE, "could not " + what + ": "
                    + e.getClass().getSimpleName(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ImageFnException(ErrorCode.UPSTREAM_TIMEOUT, "interrupted while trying to " + what);
        }
        if (r.statusCode() / 100 != 2) {
            byte[] body;
            try (InputStream in = body(r, deadline, what)) {
                body = in.readNBytes(64 * 1024);
            } catch (IOException e) {
                body = new byte[0];
            }
            GeminiError error = GeminiError.parse(r.statusCode(), body);
            if (r.statusCode() == 404) {
                throw new NotFound("Gemini does not know what " + what + " names (404): " + error.safeMessage(apiKey));
            }
            ErrorCode code = r.statusCode() == 429 ? ErrorCode.UPSTREAM_RATE_LIMITED
                    : RetryPolicy.RETRYABLE_STATUS.contains(r.statusCode()) ? ErrorCode.UPSTREAM_UNAVAILABLE
                    : GeminiImageGenerator.isAuthFailure(r.statusCode(), error) ? ErrorCode.UPSTREAM_AUTH
                    : ErrorCode.INVALID_REQUEST;
            throw new ImageFnException(code, "Gemini refused to " + what + " (" + r.statusCode() + "): "
                    + error.safeMessage(apiKey));
        }
        return r;
    }

    /** A body that stalled is a timeout; any other failure to read it is {@code otherwise}. */
    private static ErrorCode readFailure(IOException e, ErrorCode otherwise) {
        return e instanceof IdleTimeoutBody.Stalled ? ErrorCode.UPSTREAM_TIMEOUT : otherwise;
    }

    /** The body, failing when it stalls for {@code imagefn.gemini.timeout} or outlives the deadline. */
    private InputStream body(HttpResponse<InputStream> r, Deadline deadline, String what) {
        return new IdleTimeoutBody(r.body(), timeout, deadline, what, timer);
    }

    /** A 404: the batch or file is not (any more) there. */
    private static final class NotFound extends ImageFnException {
        NotFound(String detail) {
            super(ErrorCode.INVALID_REQUEST, detail);
        }
    }

    private record Buffered(HttpResponse<InputStream> r, byte[] body) implements HttpResponse<byte[]> {
        public int statusCode() {
            return r.statusCode();
        }

        public HttpRequest request() {
            return r.request();
        }

        public java.util.Optional<HttpResponse<byte[]>> previousResponse() {
            return java.util.Optional.empty();
        }

        public java.net.http.HttpHeaders headers() {
            return r.headers();
        }

        public URI uri() {
            return r.uri();
        }

        public HttpClient.Version version() {
            return r.version();
        }

        public java.util.Optional<javax.net.ssl.SSLSession> sslSession() {
            return r.sslSession();
        }
    }

    private interface Body {
        void write(JsonGenerator g) throws IOException;
    }

    private byte[] write(Body body) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.writeStartObject();
            body.write(g);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    private byte[] copy(JsonParser p) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = json.createGenerator(out)) {
            g.copyCurrentStructure(p);
        }
        return out.toByteArray();
    }

    private static String skip(JsonParser p) throws IOException {
        p.skipChildren();
        return null;
    }

    /** The string at {@code path} in a small JSON object, or {@code null}. */
    private String nested(byte[] body, String... path) {
        try (JsonParser p = json.createParser(body)) {
            JsonToken v = p.nextToken();
            for (String step : path) {
                if (v != JsonToken.START_OBJECT) {
                    return null;
                }
                v = null;
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String f = p.currentName();
                    JsonToken value = p.nextToken();
                    if (f.equals(step)) {
                        v = value;
                        break;
                    }
                    p.skipChildren();
                }
                if (v == null) {
                    return null;
                }
            }
            return v == JsonToken.VALUE_STRING ? p.getText() : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static void expectObject(JsonParser p) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new IOException("not a JSON object");
        }
    }

    private static String firstNonNull(String a, String b) {
        return a != null ? a : b;
    }
}
