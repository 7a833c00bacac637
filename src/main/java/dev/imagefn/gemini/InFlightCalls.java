package dev.imagefn.gemini;

import io.vertx.core.http.HttpClientRequest;
import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientRequestFilter;
import org.jboss.resteasy.reactive.client.impl.ClientRequestContextImpl;
import org.jboss.resteasy.reactive.client.impl.RestClientRequestContext;

/**
 * Lets a caller cancel the exchange it gives up on. A blocking REST client call that is interrupted (the deadline
 * watch) returns at once, but the exchange goes on: Gemini's late answer would still arrive and hold its connection
 * until the idle timeout. As a request filter, which the REST client runs on the calling thread, this notes the
 * call's context; {@link #cancel()} then does what the REST client does for a cancelled {@code Uni}: the request
 * is not sent, or is reset (which closes its connection).
 */
final class InFlightCalls implements ClientRequestFilter {
    private final ThreadLocal<RestClientRequestContext> current = new ThreadLocal<>();

    @Override
    public void filter(ClientRequestContext request) {
        if (request instanceof ClientRequestContextImpl impl) {
            current.set(impl.getRestClientRequestContext());
        }
    }

    /** Cancels the calling thread's call in progress, if any. */
    void cancel() {
        RestClientRequestContext call = current.get();
        current.remove();
        if (call != null) {
            call.setUserCanceled();
            HttpClientRequest request = call.getHttpClientRequest();
            if (request != null) {
                request.reset();
            }
        }
    }

    /** The calling thread's call is over. */
    void done() {
        current.remove();
    }
}
