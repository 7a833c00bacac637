package dev.imagefn.http;

import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.ext.web.Router;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * A request answered before its body was read to the end (refused by its declared length, cut at the body limit or
 * the read timeout, refused by the parser or by authorisation) has its connection closed once the answer is written.
 * Nothing reads the rest of such a body, so the connection would otherwise stay paused until the idle timeout, and
 * a client could hold it by sending slowly.
 */
@ApplicationScoped
public class UnreadBodies {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(rc -> {
            HttpServerRequest request = rc.request();
            rc.addEndHandler(done -> {
                if (!request.isEnded()) {
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
}
