package dev.imagefn.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * {@code GET /q/openapi}: the committed document (deploy/openapi.yaml, and its JSON twin), packaged into the jar.
 * YAML by default; JSON for {@code ?format=json}, {@code /q/openapi.json} or {@code Accept: application/json}.
 * The document is generated from the routes at build time ({@code make openapi}), so the function never parses or
 * rewrites it at start-up. The bytes are read once, on the first request.
 */
@ApplicationScoped
public class OpenApiDocument {
    static final String PATH = "/q/openapi";
    static final String YAML_RESOURCE = "META-INF/imagefn/openapi.yaml";
    static final String JSON_RESOURCE = "META-INF/imagefn/openapi.json";

    private volatile byte[] yaml;
    private volatile byte[] json;

    void install(@Observes Router router) {
        route(router, PATH).handler(rc -> serve(rc, wantsJson(rc)));
        route(router, PATH + ".json").handler(rc -> serve(rc, true));
        route(router, PATH + ".yaml").handler(rc -> serve(rc, false));
        route(router, PATH + ".yml").handler(rc -> serve(rc, false));
    }

    private static Route route(Router router, String path) {
        return router.route(path).method(HttpMethod.GET).method(HttpMethod.HEAD);
    }

    private static boolean wantsJson(RoutingContext rc) {
        String format = rc.request().getParam("format");
        if (format != null) {
            return format.equalsIgnoreCase("json");
        }
        String accept = rc.request().getHeader("Accept");
        String a = accept == null ? "" : accept.toLowerCase(Locale.ROOT);
        return a.contains("application/json") && !a.contains("yaml");
    }

    private void serve(RoutingContext rc, boolean asJson) {
        rc.response().putHeader("Content-Type", asJson ? "application/json;charset=UTF-8"
                : "application/yaml;charset=UTF-8").putHeader("Vary", "Accept").end(Buffer.buffer(body(asJson)));
    }

    private byte[] body(boolean asJson) {
        byte[] b = asJson ? json : yaml;
        if (b == null) {
            b = read(asJson ? JSON_RESOURCE : YAML_RESOURCE);
            if (asJson) {
                json = b;
            } else {
                yaml = b;
            }
        }
        return b;
    }

    private static byte[] read(String resource) {
        try (InputStream in = OpenApiDocument.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not packaged (make openapi writes deploy/openapi.*)");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
