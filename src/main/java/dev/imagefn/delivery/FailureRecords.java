package dev.imagefn.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.Hashes;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageStore;
import dev.imagefn.core.ObjectKeys;
import dev.imagefn.json.ProblemJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/**
 * A queue message or a stored job that will not be delivered again is written to
 * {@code {prefix}failures/yyyy/MM/dd/…} with the delivery (the message, or the storage event — never the object's
 * bytes) and the problem: nothing is lost and nothing loops.
 */
@ApplicationScoped
public class FailureRecords {
    private static final JsonFactory JSON = new JsonFactory();
    private static final Logger LOG = Logger.getLogger(FailureRecords.class);

    private final ImageStore store;
    private final String prefix;

    @Inject
    FailureRecords(ImageStore store, ImagefnConfig config) {
        this.store = store;
        this.prefix = config.storage().prefix();
    }

    /** Writes the record and returns its key; throws STORAGE_UNAVAILABLE when it cannot. */
    String write(Delivery delivery, ImageFnException problem) {
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        String key = prefix + ObjectKeys.FAILURES + String.format("%04d/%02d/%02d/", day.getYear(),
                day.getMonthValue(), day.getDayOfMonth()) + delivery.kind() + "-" + safe(delivery.id()) + ".json";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("trigger", delivery.kind());
            g.writeStringField("id", delivery.id());
            g.writeStringField("failedAt", Instant.now().toString());
            g.writeStringField("disposition", problem.disposition().name());
            g.writeFieldName("problem");
            ProblemJson.write(g, problem, delivery.requestId());
            g.writeStringField("message", delivery.recordOf());
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.putDocument(key, out.toByteArray(), "application/json");
        LOG.warnf("%s delivery %s failed (%s, %s); recorded at %s", delivery.kind(), printable(delivery.id()),
                problem.code(), problem.disposition(), key);
        return key;
    }

    /** An id from an event, fit for one log line: no line breaks or other controls, bounded length. */
    static String printable(String id) {
        String s = id.replaceAll("[^\\x20-\\x7e]", "?");
        return s.length() <= 200 ? s : s.substring(0, 200) + "...";
    }

    /** Readable, and unique: a short hash of the whole id follows the cleaned-up, shortened id. */
    private static String safe(String id) {
        String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return (s.length() <= 160 ? s : s.substring(0, 160)) + "-" + Hashes.sha256Hex(id).substring(0, 12);
    }
}
