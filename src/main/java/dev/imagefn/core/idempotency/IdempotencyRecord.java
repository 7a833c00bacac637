package dev.imagefn.core.idempotency;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One record as stored: who holds it until when, the hash of the request it belongs to, and once the work is over,
 * its outcome as the handler wrote it (a result, or the problem of a paid failure).
 */
record IdempotencyRecord(Status status, String owner, String requestHash, long expiresAtMillis, String outcome) {
    private static final JsonFactory JSON = new JsonFactory();

    enum Status { IN_PROGRESS, COMPLETED, FAILED }

    static IdempotencyRecord inProgress(String owner, String requestHash, long expiresAtMillis) {
        return new IdempotencyRecord(Status.IN_PROGRESS, owner, requestHash, expiresAtMillis, null);
    }

    IdempotencyRecord finished(Status status, String outcome) {
        return new IdempotencyRecord(status, owner, requestHash, expiresAtMillis, outcome);
    }

    byte[] toJson() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = JSON.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("version", 1);
            g.writeStringField("status", status.name());
            g.writeStringField("owner", owner);
            g.writeStringField("requestHash", requestHash);
            g.writeNumberField("expiresAt", expiresAtMillis);
            if (outcome != null) {
                g.writeStringField("outcome", outcome);
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Reads a record; anything that is not one of ours reads as {@code null} (and counts as absent). */
    static IdempotencyRecord fromJson(byte[] body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Status status = null;
            String owner = null;
            String hash = null;
            long expires = 0;
            String outcome = null;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String field = p.currentName();
                p.nextToken();
                switch (field) {
                    case "status" -> status = Status.valueOf(p.getText());
                    case "owner" -> owner = p.getText();
                    case "requestHash" -> hash = p.getText();
                    case "expiresAt" -> expires = p.getLongValue();
                    case "outcome" -> outcome = p.getText();
                    default -> p.skipChildren();
                }
            }
            if (status == null || owner == null || hash == null || status != Status.IN_PROGRESS && outcome == null) {
                return null;
            }
            return new IdempotencyRecord(status, owner, hash, expires, outcome);
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }
}
