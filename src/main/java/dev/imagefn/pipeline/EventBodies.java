package dev.imagefn.pipeline;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.http.CloudEvent;
import dev.imagefn.http.CloudEventBinding;
import dev.imagefn.http.HttpFunction;
import dev.imagefn.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * A message body or a job file: the event JSON itself, or a structured CloudEvent whose data is the event.
 * Without an {@code idempotencyKey} of its own, the delivery's identity becomes one, so a redelivery
 * finds the first result instead of paying again.
 */
@ApplicationScoped
public class EventBodies {
    private final EventJson events;

    @Inject
    EventBodies(ImagefnConfig config) {
        this.events = new EventJson(config.limits());
    }

    /**
     * {@code eventIdentityWins}: a CloudEvent's source and id identify the delivery better than the carrier's
     * (a queue message); for a job file the object's key and ETag stay the identity.
     */
    public ImageRequest read(byte[] body, JsonNode tree, String deliveryIdentity, boolean eventIdentityWins) {
        ImageRequest request;
        if (tree != null && tree.has("specversion")) {
            CloudEvent ce = CloudEventBinding.structured(body);
            if (!HttpFunction.REQUESTED.equals(ce.type())) {
                throw ImageFnException.invalid("CloudEvent type '" + ce.type() + "' is not handled; send "
                        + HttpFunction.REQUESTED);
            }
            request = events.read(ce.data());
            if (eventIdentityWins || deliveryIdentity == null) {
                deliveryIdentity = "cloudevent:" + ce.source() + "#" + ce.id();
            }
        } else {
            request = events.read(body);
        }
        return request.idempotencyKey() != null ? request
                : request.withIdempotencyKey(HttpFunction.derivedKey(deliveryIdentity));
    }

    public ImageRequest readDirect(byte[] body, JsonNode tree) {
        if (tree != null && tree.has("specversion")) {
            return read(body, tree, null, true);
        }
        return events.read(body);
    }
}
