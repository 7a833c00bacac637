package dev.imagefn.gemini;

import io.vertx.core.http.HttpClientRequest;
import jakarta.ws.rs.client.ClientRequestContext;
import java.util.concurrent.CompletableFuture;
import jakarta.ws.rs.client.ClientRequestFilter;
import org.jboss.resteasy.reactive.client.impl.ClientRequestContextImpl;
import org.jboss.resteasy.reactive.client.impl.RestClientRequestContext;

/**
 * Lets a caller cancel the exchange it gives up on. A blocking REST client call that is interrupted (the deadline
 * watch) returns at once, but the exchange goes on: Gemini's late answer would still arrive and hold its connection
 * until the idle timeout. As a request filter, which the REST client runs on the calling thread, this notes the
 * call; {@link #cancel()} then does what the REST client does for a cancelled {@code Uni}: a request not yet created
 * is not sent, one in flight is reset (which closes its connection). An answer that already came is closed instead
 * (its body dropped, its connection kept): by then the connection may serve another call, and a reset would close it.
 */
final class InFlightCalls implements ClientRequestFilter {
    static final long RECHECK_MILLIS = 50;
    private final ThreadLocal<ClientRequestContextImpl> current = new ThreadLocal<>();

    @Override
    public void filter(ClientRequestContext request) {
        if (request instanceof ClientRequestContextImpl impl) {
            current.set(impl);
        }
    }

    /**
     * Cancels the calling thread's call in progress, if any. Completes with whether its HTTP request had been created
     * (so may have been sent): false while it still waited for a connection, or before the call reached the client.
     */
    CompletableFuture<Boolean> cancel() {
        ClientRequestContextImpl call = current.get();
        current.remove();
        if (call == null) {
            return CompletableFuture.completedFuture(false);
        }
        RestClientRequestContext rest = call.getRestClientRequestContext();
        rest.setUserCanceled();
        CompletableFuture<Boolean> created = new CompletableFuture<>();
        // On the call's own context, in order with the REST client's steps there. The client looks at the cancel
        // flag before it stores a new request, and its connection may have come on another thread just before the
        // flag was set: a request not seen yet is looked for once more, after a pause far longer than those steps
        // (best effort: a thread stalled longer than that between the check and the store is not seen).
        call.getContext().runOnContext(v -> {
            if (!resetIfCreated(rest)) {
                call.getContext().owner().setTimer(RECHECK_MILLIS, t -> call.getContext().runOnContext(
                        w -> created.complete(resetIfCreated(rest))));
            } else {
                created.complete(true);
            }
        });
        rest.getResult().whenComplete((response, failure) -> {
            if (response != null) {
                response.close();
            }
        });
        return created;
    }

    private static boolean resetIfCreated(RestClientRequestContext rest) {
        HttpClientRequest request = rest.getHttpClientRequest();
        if (request != null && rest.getVertxClientResponse() == null) {
            request.reset();
        }
        return request != null;
    }

    /** The calling thread's call is over. */
    void done() {
        current.remove();
    }
}
