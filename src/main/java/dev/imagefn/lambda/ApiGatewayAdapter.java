package dev.imagefn.lambda;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefn.core.Deadline;
import dev.imagefn.delivery.http.HttpApi;
import dev.imagefn.delivery.http.HttpReply;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * API Gateway REST (payload 1.0), HTTP API (2.0) and function URL (2.0) proxy events onto
 * {@link HttpApi}: the same routes, statuses and problem documents as the HTTP server.
 */
@ApplicationScoped
class ApiGatewayAdapter {
    /** Lambda's 6 MB (6,291,456 bytes) response payload, less room for the status and headers. */
    static final long MAX_BODY_BYTES = 6_291_456 - 16 * 1024;
    private final HttpApi http;

    @Inject
    ApiGatewayAdapter(HttpApi http) {
        this.http = http;
    }

    void handle(JsonNode event, boolean v2, Deadline deadline, JsonGenerator out) throws IOException {
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        copy(event.path("headers"), headers);
        if (!v2) {
            for (Iterator<Map.Entry<String, JsonNode>> it = event.path("multiValueHeaders").fields(); it.hasNext();) {
                var e = it.next();
                if (e.getValue().isArray() && !e.getValue().isEmpty()) {
                    headers.putIfAbsent(e.getKey(), e.getValue().get(0).asText());
                }
            }
        }
        String method = v2 ? event.path("requestContext").path("http").path("method").asText("GET")
                : event.path("httpMethod").asText("GET");
        String path = v2 ? stripStage(event.path("rawPath").asText("/"), event.path("requestContext").path("stage")
                .asText("$default")) : restPath(event);
        String text = event.path("body").isNull() ? "" : event.path("body").asText("");
        HttpReply reply;
        byte[] body = null;
        try {
            body = event.path("isBase64Encoded").asBoolean(false) ? Base64.getDecoder().decode(text.strip())
                    : text.getBytes(StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            body = null;
        }
        reply = body == null ? HttpApi.problem(dev.imagefn.core.ImageFnException.invalid(
                "the body is marked isBase64Encoded but is not valid base64"), headers.get("X-Request-Id"))
                : http.route(method.toUpperCase(Locale.ROOT), path, headers::get, body, deadline, v2 && signedByAws(event),
                        MAX_BODY_BYTES);
        out.writeStartObject();
        out.writeNumberField("statusCode", reply.status());
        out.writeObjectFieldStart("headers");
        for (var h : reply.headers().entrySet()) {
            out.writeStringField(h.getKey(), h.getValue());
        }
        out.writeEndObject();
        out.writeStringField("body", new String(reply.body(), StandardCharsets.UTF_8));
        out.writeBooleanField("isBase64Encoded", false);
        out.writeEndObject();
    }

    /**
     * Payload 2.0 carries {@code requestContext.authorizer.iam} only when AWS verified the caller's SigV4 signature
     * (a function URL with {@code AWS_IAM} auth, an HTTP API route with IAM authorization); otherwise the authorizer
     * is null or another kind (JWT, Lambda), and the bearer token applies.
     */
    static boolean signedByAws(JsonNode event) {
        return event.path("requestContext").path("authorizer").path("iam").isObject();
    }

    /**
     * A REST API's {@code path} carries a custom domain's base path ({@code /imagefn/v1/images}); its
     * {@code resourcePath} is the route itself, or for a greedy {@code {proxy+}} resource, the resource's prefix and
     * what it matched ({@code pathParameters.proxy}). A prefix that is not a route of ours ({@code /api/{proxy+}})
     * leaves what the proxy matched.
     */
    static String restPath(JsonNode event) {
        String resource = event.path("requestContext").path("resourcePath").asText("");
        if (!resource.isEmpty() && !resource.contains("{")) {
            return resource;
        }
        JsonNode proxy = event.path("pathParameters").path("proxy");
        if (resource.endsWith("/{proxy+}") && proxy.isTextual()) {
            String matched = proxy.asText().replaceFirst("^/+", "");
            String prefixed = resource.substring(0, resource.length() - "{proxy+}".length()) + matched;
            if (HttpApi.answers(prefixed)) {
                return prefixed;
            }
            if (HttpApi.answers("/" + matched)) {
                return "/" + matched;
            }
        }
        String path = event.path("path").asText("/");
        return path.endsWith("/v1/images") ? "/v1/images" : path;
    }

    /** HTTP API puts a named stage in {@code rawPath}; the routes do not have it. */
    static String stripStage(String rawPath, String stage) {
        if (stage.isEmpty() || stage.equals("$default")) {
            return rawPath;
        }
        String prefix = "/" + stage;
        if (rawPath.equals(prefix)) {
            return "/";
        }
        return rawPath.startsWith(prefix + "/") ? rawPath.substring(prefix.length()) : rawPath;
    }

    private static void copy(JsonNode node, Map<String, String> into) {
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
            var e = it.next();
            if (!e.getValue().isNull()) {
                into.put(e.getKey(), e.getValue().asText());
            }
        }
    }
}
