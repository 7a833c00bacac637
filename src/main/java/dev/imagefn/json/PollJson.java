package dev.imagefn.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.imagefn.core.Disposition;
import dev.imagefn.core.ImageFnException;
import dev.imagefn.core.ImageResult;
import dev.imagefn.core.batch.PollReport;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The answer of a batch poll: {@code {"batches":[{name,state}],"stored":[result…],"failed":[problem…]}}. */
public final class PollJson {
    private static final JsonFactory JSON = new JsonFactory();

    private PollJson() {
    }

    public static byte[] write(PollReport report, String requestId) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeArrayFieldStart("batches");
            for (PollReport.BatchView b : report.batches()) {
                g.writeStartObject();
                g.writeStringField("name", b.name());
                g.writeStringField("state", b.state());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeArrayFieldStart("stored");
            for (ImageResult r : report.stored()) {
                ResultJson.write(g, r);
            }
            g.writeEndArray();
            g.writeArrayFieldStart("failed");
            for (PollReport.Failed f : report.failed()) {
                java.util.Map<String, String> extensions = new java.util.LinkedHashMap<>(f.problem().extensions());
                extensions.put("entry", f.entry());
                if (f.failureRecord() != null) {
                    extensions.put("failureRecord", f.failureRecord());
                }
                // A failure with its record is final, whatever its code would say of another try.
                Disposition d = f.failureRecord() != null && f.problem().disposition().redeliver()
                        ? Disposition.PERMANENT : f.problem().disposition();
                ProblemJson.write(g, new ImageFnException(f.problem().code(), f.problem().detail(), extensions, null,
                        null).as(d), f.requestId());
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
