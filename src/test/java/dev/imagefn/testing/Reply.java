package dev.imagefn.testing;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** One scripted answer of the {@link GeminiStandIn}. Built fluently; immutable once queued. */
public final class Reply {
    enum Kind { IMAGES, PROMPT_BLOCKED, FINISH_ONLY, ERROR, RAW, HANG_UP }

    Kind kind = Kind.IMAGES;
    int status = 200;
    String body;
    String mimeType = "image/png";
    String declaredMimeType;
    int images = 1;
    int thoughtImages;
    String text;
    String finishReason = "STOP";
    String finishMessage;
    String blockReason;
    int padTo;
    Duration delay = Duration.ZERO;
    boolean truncate;
    Duration stall = Duration.ZERO;
    boolean badBase64;
    boolean urlSafeBase64;
    boolean snakeCase;
    boolean arrayWrapped;
    boolean lastImageMarkedThought;
    boolean drawn;
    String modelVersion;
    final Map<String, String> headers = new LinkedHashMap<>();

    private Reply() {
    }

    /** A success with one final image (the default when nothing is queued). */
    public static Reply image() {
        return new Reply();
    }

    public static Reply promptBlocked(String reason) {
        Reply r = new Reply();
        r.kind = Kind.PROMPT_BLOCKED;
        r.blockReason = reason;
        return r;
    }

    /** A candidate with no image part and this finish reason (blocked output, NO_IMAGE, text only...). */
    public static Reply finish(String reason, String message) {
        Reply r = new Reply();
        r.kind = Kind.FINISH_ONLY;
        r.finishReason = reason;
        r.finishMessage = message;
        return r;
    }

    /** A Google error body {@code {"error":{code,message,status,details}}}. */
    public static Reply error(int status, String grpcStatus, String message, String detailsJson) {
        Reply r = new Reply();
        r.kind = Kind.ERROR;
        r.status = status;
        r.body = "{\"error\":{\"code\":" + status + ",\"message\":\"" + message + "\",\"status\":\"" + grpcStatus
                + "\"" + (detailsJson == null ? "" : ",\"details\":" + detailsJson) + "}}";
        return r;
    }

    public static Reply rateLimited(String retryDelay) {
        return error(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.",
                "[{\"@type\":\"type.googleapis.com/google.rpc.QuotaFailure\",\"violations\":[{\"quotaMetric\":"
                        + "\"generativelanguage.googleapis.com/generate_content_paid_tier_requests\",\"quotaId\":"
                        + "\"GenerateRequestsPerMinutePerProjectPerModel\",\"quotaValue\":\"500\"}]},"
                        + "{\"@type\":\"type.googleapis.com/google.rpc.RetryInfo\",\"retryDelay\":\"" + retryDelay
                        + "\"}]");
    }

    /** No answer: the connection is closed before a status line is sent. */
    public static Reply hangUp() {
        Reply r = new Reply();
        r.kind = Kind.HANG_UP;
        return r;
    }

    public static Reply unavailable() {
        return error(503, "UNAVAILABLE", "The model is overloaded. Please try again later.", null);
    }

    /**
     * A real recorded error body from {@code src/test/resources/realworld/} (see the README there), sent with
     * the HTTP status its {@code error.code} names.
     */
    public static Reply recorded(String file) {
        try (var in = Reply.class.getResourceAsStream("/realworld/" + file)) {
            if (in == null) {
                throw new IllegalArgumentException("no recorded sample " + file);
            }
            String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            int status = new com.fasterxml.jackson.databind.ObjectMapper().readTree(body).at("/error/code").asInt();
            return raw(status, body);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    public static Reply raw(int status, String body) {
        Reply r = new Reply();
        r.kind = Kind.RAW;
        r.status = status;
        r.body = body;
        return r;
    }

    /** The {@code modelVersion} the answer reports (default: the model of the path), e.g. a rerouted model. */
    public Reply modelVersion(String v) {
        modelVersion = v;
        return this;
    }

    public Reply images(int n) {
        images = n;
        return this;
    }

    public Reply thoughtImages(int n) {
        thoughtImages = n;
        return this;
    }

    public Reply text(String t) {
        text = t;
        return this;
    }

    public Reply mimeType(String m) {
        mimeType = m;
        return this;
    }

    /** The MIME type written in the response, when it should differ from the bytes' real type. */
    public Reply declaredMimeType(String m) {
        declaredMimeType = m;
        return this;
    }

    public Reply padTo(int bytes) {
        padTo = bytes;
        return this;
    }

    public Reply delay(Duration d) {
        delay = d;
        return this;
    }

    public Reply truncated() {
        truncate = true;
        return this;
    }

    /** As {@link #truncated()}, after sending nothing more for {@code d} (a body that stops arriving). */
    public Reply stalledMidBody(Duration d) {
        truncate = true;
        stall = d;
        return this;
    }

    public Reply badBase64() {
        badBase64 = true;
        return this;
    }

    public Reply urlSafeBase64() {
        urlSafeBase64 = true;
        return this;
    }

    public Reply snakeCase() {
        snakeCase = true;
        return this;
    }

    public Reply arrayWrapped() {
        arrayWrapped = true;
        return this;
    }

    public Reply lastImageMarkedThought() {
        lastImageMarkedThought = true;
        return this;
    }

    /**
     * Final images that show the request (prompt, ratio, size, pixel dimensions) instead of one flat colour:
     * see {@link DrawnImages}. For the demo; slower, and the bytes are not those of {@link TestImages}.
     */
    public Reply drawn() {
        drawn = true;
        return this;
    }

    public Reply header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
