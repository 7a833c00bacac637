package dev.imagefn.gemini;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import java.io.IOException;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.function.Consumer;
import org.jboss.resteasy.reactive.client.impl.ClientRequestContextImpl;
import org.jboss.resteasy.reactive.client.impl.PreservesThreadClientResponseFilter;
import org.jboss.resteasy.reactive.client.impl.RestClientRequestContext;

/**
 * Hands the body of a 200 answer to {@link ResponseBodyStream} (see there why). As a request customizer it
 * notes the Vert.x context that delivers the response's buffers; as a response filter it takes the body over on
 * that context. It never blocks: marked so, the REST client runs it on the event loop that got the response instead
 * of handing it to a worker and back.
 */
final class ResponseBodyFilter implements PreservesThreadClientResponseFilter, Consumer<HttpClientRequest> {
    private final long timeoutMillis;
    private final Map<HttpClientRequest, Context> contexts = Collections.synchronizedMap(new WeakHashMap<>());

    ResponseBodyFilter(long timeoutMillis) {
        this.timeoutMillis = timeoutMillis;
    }

    @Override
    public void accept(HttpClientRequest request) {
        request.response().onSuccess(r -> {
            if (r.statusCode() == 200) {
                contexts.put(request, Vertx.currentContext());
            }
        });
    }

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) throws IOException {
        if (request instanceof ClientRequestContextImpl impl) {
            RestClientRequestContext call = impl.getRestClientRequestContext();
            Context context = contexts.remove(call.getHttpClientRequest());
            if (context != null) { // noted for a 200 only
                response.setEntityStream(ResponseBodyStream.takeOver(context, call.getVertxClientResponse(),
                        response.getEntityStream(), timeoutMillis));
            }
        }
    }
}
