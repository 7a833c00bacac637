package dev.imagefn.lambda;

import com.fasterxml.jackson.databind.JsonNode;
import dev.imagefn.core.Deadline;
import dev.imagefn.pipeline.ObjectCreatedHandler;
import dev.imagefn.pipeline.Outcome;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** S3 notifications ({@code Records[].s3}, keys URL-encoded) and EventBridge "Object Created" events. */
@ApplicationScoped
class S3EventAdapter {
    private final ObjectCreatedHandler objects;

    @Inject
    S3EventAdapter(ObjectCreatedHandler objects) {
        this.objects = objects;
    }

    /** Objects of an S3 notification ({@code Records[].s3}) or an EventBridge event ({@code detail}). */
    List<Outcome> handle(JsonNode event, String requestId, Deadline deadline) {
        List<Outcome> outcomes = new ArrayList<>();
        if (event.has("detail")) {
            JsonNode d = event.path("detail");
            if (!"Object Created".equals(event.path("detail-type").asText())) {
                outcomes.add(Outcome.skipped(d.path("object").path("key").asText(), "not Object Created"));
                return outcomes;
            }
            outcomes.add(objects.handleObject(d.path("bucket").path("name").asText(), d.path("object").path("key").asText(),
                    d.path("object").path("etag").asText(""), requestId, deadline));
            return outcomes;
        }
        for (JsonNode r : event.path("Records")) {
            if (!r.path("eventName").asText("ObjectCreated:").startsWith("ObjectCreated:")) {
                outcomes.add(Outcome.skipped(r.path("s3").path("object").path("key").asText(), "not ObjectCreated"));
                continue;
            }
            JsonNode s3 = r.path("s3");
            String key = URLDecoder.decode(s3.path("object").path("key").asText(), StandardCharsets.UTF_8);
            outcomes.add(objects.handleObject(s3.path("bucket").path("name").asText(), key,
                    s3.path("object").path("eTag").asText(""), requestId, deadline));
        }
        return outcomes;
    }

}
