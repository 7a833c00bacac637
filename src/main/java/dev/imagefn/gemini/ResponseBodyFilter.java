package dev.imagefn.gemini;

import io.vertx.core.http.HttpClientRequest;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import java.lang.ref.Cleaner;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import org.jboss.resteasy.reactive.client.impl.ClientRequestContextImpl;
import org.jboss.resteasy.reactive.client.impl.PreservesThreadClientResponseFilter;

/**
 * Hands the body of a 200 answer to {@link ResponseBodyStream} (see {@link BodyTap} why). As a request customizer it
 * arms the connection's tap for the request; as a response filter it gives the REST client the tapped body as the
 * entity stream. Any other answer (an error's small JSON) the REST client reads as usual. The filter never blocks:
 * marked so, the REST client runs it on the event loop that got the response.
 */
final class ResponseBodyFilter implements PreservesThreadClientResponseFilter, Consumer<HttpClientRequest> {
    private final long timeoutMillis;
    private final Map<HttpClientRequest, TappedBody> bodies = Collections.synchronizedMap(new WeakHashMap<>());
    /** Made with the filter, at run time: a static one would start its thread during a native build. */
    private final Cleaner cleaner = Cleaner.create();

    ResponseBodyFilter(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void accept(HttpClientRequest request) {
        TappedBody body = BodyTap.arm(request, timeoutMillis, cleaner);
        if (body != null) {
            bodies.put(request, body);
        }
    }

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
        if (request instanceof ClientRequestContextImpl impl) {
            TappedBody body = bodies.remove(impl.getRestClientRequestContext().getHttpClientRequest());
            if (body != null && body.active()) { // active only for a 200
                response.setEntityStream(new ResponseBodyStream(body, cleaner));
            }
        }
    }
}
