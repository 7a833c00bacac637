package dev.imagefn.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefn.core.Deadline;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.delivery.Outcome;
import dev.imagefn.delivery.StorageObjects;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** S3 notifications ({@code Records[].s3}, keys URL-encoded) and EventBridge "Object Created" events. */
@ApplicationScoped
class S3EventAdapter {
    private final StorageObjects objects;

    @Inject
    S3EventAdapter(StorageObjects objects) {
        this.objects = objects;
    }

    static boolean isS3Notification(JsonNode event) {
        return event != null && event.path("Records").isArray() && !event.path("Records").isEmpty()
                && "aws:s3".equals(event.path("Records").get(0).path("eventSource").asText());
    }

    /** What S3 sends to a queue or topic when a notification is configured: nothing to process. */
    static boolean isTestEvent(JsonNode event) {
        return event != null && "s3:TestEvent".equals(event.path("Event").asText(null));
    }

    static boolean isEventBridgeObjectEvent(JsonNode event) {
        return event != null && "aws.s3".equals(event.path("source").asText(null)) && event.has("detail-type");
    }

    /** Objects of an S3 notification ({@code Records[].s3}) or an EventBridge event ({@code detail}). */
    List<Outcome> handle(JsonNode event, String requestId, Deadline deadline) {
        List<Outcome> outcomes = new ArrayList<>();
        if (event.has("detail")) {
            JsonNode d = event.path("detail");
            String key = d.path("object").path("key").asText();
            if (!"Object Created".equals(event.path("detail-type").asText())) {
                outcomes.add(Outcome.skipped(key, "not Object Created"));
                return outcomes;
            }
            outcomes.add(objects.objectCreated(d.path("bucket").path("name").asText(), key, event.toString(),
                    requestId, deadline));
            return outcomes;
        }
        for (JsonNode r : event.path("Records")) {
            JsonNode s3 = r.path("s3");
            String encoded = s3.path("object").path("key").asText();
            String key;
            try {
                key = URLDecoder.decode(encoded, StandardCharsets.UTF_8);
            } catch (IllegalArgumentException malformed) {
                // S3 never sends one: refused for good, not an internal error that comes back until the DLQ.
                outcomes.add(Outcome.failed(encoded, ImageFnException.invalid(
                        "the notification's object key is not URL-encoded")));
                continue;
            }
            if (!r.path("eventName").asText("ObjectCreated:").startsWith("ObjectCreated:")) {
                outcomes.add(Outcome.skipped(key, "not ObjectCreated"));
                continue;
            }
            outcomes.add(objects.objectCreated(s3.path("bucket").path("name").asText(), key, r.toString(), requestId,
                    deadline));
        }
        return outcomes;
    }
}
