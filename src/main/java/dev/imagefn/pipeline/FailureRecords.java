package dev.imagefn.pipeline;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.imagefn.config.ImagefnConfig;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageStore;
import dev.imagefn.json.ProblemJson;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;

/**
 * A permanent failure from a queue or an upload is written to {@code {prefix}failures/…} with the original
 * message and the problem, then acknowledged: nothing is lost and nothing loops.
 */
@ApplicationScoped
public class FailureRecords {
    private static final JsonFactory JSON = new JsonFactory();
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(FailureRecords.class);

    private final ImageStore store;
    private final String prefix;

    @Inject
    FailureRecords(ImageStore store, ImagefnConfig config) {
        this.store = store;
        this.prefix = config.storage().prefix();
    }

    /**
     * What a failure of one delivery becomes: retryable ones are left for redelivery; permanent ones are
     * recorded and acknowledged, unless the record cannot be written, in which case they are retried too.
     */
    public Outcome outcomeOf(ImageFnException e, String trigger, String id, String source, String original,
            String requestId) {
        String outcomeId = source != null && trigger.equals("s3") ? source : id;
        if (Outcome.retryable(e)) {
            return Outcome.retry(outcomeId, e);
        }
        try {
            String record = write(trigger, id, source, original, e, requestId);
            LOG.warnf("%s delivery %s failed permanently (%s); recorded at %s", trigger, id, e.code(), record);
            return Outcome.failed(outcomeId, record, e);
        } catch (ImageFnException storage) {
            return Outcome.retry(outcomeId, storage);
        }
    }

    /** Writes the record and returns its key; throws STORAGE_UNAVAILABLE when it cannot. */
    public String write(String trigger, String id, String source, String original, ImageFnException problem,
            String requestId) {
        LocalDate day = LocalDate.now(ZoneOffset.UTC);
        String key = prefix + "failures/" + String.format("%04d/%02d/%02d/", day.getYear(), day.getMonthValue(),
                day.getDayOfMonth()) + trigger + "-" + safe(id) + ".json";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("trigger", trigger);
            g.writeStringField("id", id);
            if (source != null) {
                g.writeStringField("source", source);
            }
            g.writeStringField("failedAt", Instant.now().toString());
            g.writeFieldName("problem");
            ProblemJson.write(g, problem, requestId);
            g.writeStringField("message", original);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        store.putDocument(key, out.toByteArray(), "application/json");
        return key;
    }

    /** Readable, and unique: a short hash of the whole id follows the cleaned-up, shortened id. */
    private static String safe(String id) {
        String s = id.replaceAll("[^A-Za-z0-9._-]", "_");
        return (s.length() <= 160 ? s : s.substring(0, 160)) + "-" + dev.imagefn.core.Hashes.sha256Hex(id).substring(0, 12);
    }
}
