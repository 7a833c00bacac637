package dev.imagefn.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageRequest;
import dev.imagefn.core.idempotency.IdempotencyKey;
import dev.imagefn.json.EventJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;

/**
 * A message body, a direct invocation or a job file: the event JSON itself, or a structured CloudEvent whose data
 * is the event. A CloudEvent brings its own identity (source and id); otherwise the carrier's stands.
 */
@ApplicationScoped
public class EventBodies {
    private static final JsonFactory JSON = new JsonFactory();

    private final EventJson events;

    /** The request and the identity a redelivery of it is recognised by ({@code null}: none). */
    public record Job(ImageRequest request, IdempotencyKey identity) {
    }

    @Inject
    public EventBodies(ImagefnConfig config) {
        this.events = new EventJson(config.limits());
    }

    /** {@code carrierIdentity} is the message's or the file's; {@code eventIdentityWins}: a CloudEvent's replaces it. */
    public Job read(byte[] body, IdempotencyKey carrierIdentity, boolean eventIdentityWins) {
        if (isCloudEvent(body)) {
            CloudEvent ce = CloudEvent.structured(body);
            if (!CloudEvent.REQUESTED.equals(ce.type())) {
                throw ImageFnException.invalid("CloudEvent type '" + ModelText.cut(ce.type())
                        + "' is not handled here; send " + CloudEvent.REQUESTED);
            }
            IdempotencyKey identity = eventIdentityWins || carrierIdentity == null ? identityOf(ce) : carrierIdentity;
            return new Job(events.read(ce.data()), identity);
        }
        return new Job(events.read(body), carrierIdentity);
    }

    /** Redeliveries of one CloudEvent share its source and id (the spec's uniqueness rule). */
    public static IdempotencyKey identityOf(CloudEvent ce) {
        return IdempotencyKey.delivery("cloudevent", ce.source().length() + ":" + ce.source() + "#" + ce.id());
    }

    /** A top-level {@code specversion} member marks a structured CloudEvent. */
    private static boolean isCloudEvent(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                if (p.currentName().equals("specversion")) {
                    return true;
                }
                p.nextToken();
                p.skipChildren();
            }
            return false;
        } catch (IOException e) {
            return false;
        }
    }

    /** Short, printable excerpts of caller text for problem details. */
    static final class ModelText {
        private ModelText() {
        }

        static String cut(String s) {
            if (s == null) {
                return "";
            }
            String printable = s.codePoints().filter(c -> c >= 0x20 && c < 0x7f)
                    .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
            return printable.length() <= 64 ? printable : printable.substring(0, 61) + "...";
        }
    }
}
