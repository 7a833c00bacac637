package dev.imagefn.http;

import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A request answered before its body was read to the end (refused by its declared length, cut at the body limit or
 * the read timeout, refused by the parser or by authorisation) has its connection closed once the answer is written,
 * and an HTTP/1.1 answer says so ({@code Connection: close}), so a client does not send its next request on it.
 * Nothing reads the rest of such a body, so the connection would otherwise stay paused until the idle timeout, and
 * a client could hold it by sending slowly. Every other connection is kept alive.
 */
@ApplicationScoped
public class UnreadBodies {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            HttpServerRequest request = rc.request();
            // Decided once, when the head goes out: a body that ends while a streamed answer is written still closes.
            boolean[] close = new boolean[1];
            rc.addHeadersEndHandler(v -> {
                if (request.version() != HttpVersion.HTTP_2 && bodyUnread(request)) {
                    close[0] = true;
                    rc.response().headers().set(HttpHeaders.CONNECTION, HttpHeaders.CLOSE);
                }
            });
            rc.addEndHandler(done -> {
                if (close[0] || bodyUnread(request)) {
                    if (request.version() == HttpVersion.HTTP_2) {
                        rc.response().reset();
                    } else {
                        request.connection().close();
                    }
                }
            });
            rc.next();
        });
    }

    /**
     * Vert.x's {@code isEnded()} is also false for a request that arrived whole but is paused (every request the REST
     * server handles), so a declared length is compared with the bytes read, and a request with neither a length nor
     * a transfer coding has no body (RFC 9112, 6.3). A chunked body, or an HTTP/2 one of no declared length, is unread
     * unless Vert.x says it ended.
     */
    static boolean bodyUnread(HttpServerRequest request) {
        if (request.isEnded()) {
            return false;
        }
        String length = request.getHeader(HttpHeaders.CONTENT_LENGTH);
        if (request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
            return true;
        }
        if (length == null) {
            return request.version() == HttpVersion.HTTP_2;
        }
        try {
            return request.bytesRead() < Long.parseLong(length.strip());
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
