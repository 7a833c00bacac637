package dev.imagefn.delivery;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.imagefn.core.ImageFnException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * An incoming CloudEvent 1.0, reduced to what imagefn reads; {@code data} is the raw JSON of the event. The JSON
 * event format (structured mode) is read here, for every carrier: an HTTP body, a queue message, a file.
 * Hand-written rather than the CloudEvents Java SDK, whose JSON format pulls in Jackson databind: every JSON path
 * stays reflection-free for the native image.
 */
public record CloudEvent(String id, String source, String type, String subject, String dataContentType, byte[] data) {
    public static final String SPEC_VERSION = "1.0";
    /** The request the function answers. */
    public static final String REQUESTED = "dev.imagefn.image.requested";
    public static final String GENERATED = "dev.imagefn.image.generated";
    public static final String FAILED = "dev.imagefn.image.failed";
    /** Eventarc's Cloud Storage event: an upload pipeline trigger. */
    public static final String GCS_FINALIZED = "google.cloud.storage.object.v1.finalized";
    private static final JsonFactory JSON = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    /** A structured-mode CloudEvent (JSON format), as found in a queue message or a file. */
    public static CloudEvent structured(byte[] body) {
        String specVersion = null, id = null, source = null, type = null, subject = null, dataContentType = null;
        byte[] data = null;
        boolean dataGiven = false;
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ImageFnException.invalid("a structured CloudEvent must be a JSON object");
            }
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                String name = p.currentName();
                JsonToken v = p.nextToken();
                switch (name) {
                    case "specversion" -> specVersion = text(p, name);
                    case "id" -> id = text(p, name);
                    case "source" -> source = text(p, name);
                    case "type" -> type = text(p, name);
                    case "subject" -> subject = text(p, name);
                    case "datacontenttype" -> dataContentType = text(p, name);
                    case "data", "data_base64" -> {
                        if (v != JsonToken.VALUE_NULL) {
                            if (dataGiven) {
                                throw ImageFnException.invalid("a CloudEvent has data or data_base64, not both");
                            }
                            dataGiven = true;
                            data = name.equals("data") ? rawValue(p, body, v) : decodeBase64(text(p, name));
                        }
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) {
                throw ImageFnException.invalid("content after the structured CloudEvent");
            }
        } catch (IOException e) {
            throw ImageFnException.invalid("the structured CloudEvent is not valid JSON");
        }
        checkSpecVersion(specVersion);
        for (String[] a : new String[][] {{"id", id}, {"source", source}, {"type", type}}) {
            if (a[1] == null || a[1].isBlank()) {
                throw ImageFnException.invalid("CloudEvent attribute '" + a[0] + "' is required");
            }
        }
        checkDataContentType(dataContentType);
        return new CloudEvent(id, source, type, subject, dataContentType, data == null ? new byte[0] : data);
    }

    /** The bytes of the {@code data} value; a JSON string is taken as the JSON text it holds. */
    private static byte[] rawValue(JsonParser p, byte[] body, JsonToken v) throws IOException {
        if (v == JsonToken.VALUE_STRING) {
            return p.getText().getBytes(StandardCharsets.UTF_8);
        }
        if (v == JsonToken.VALUE_NULL) {
            return null;
        }
        int start = (int) p.currentTokenLocation().getByteOffset();
        p.skipChildren();
        int end = (int) p.currentLocation().getByteOffset();
        if (start < 0 || end < start) {
            // Jackson reads UTF-16 and UTF-32 as characters and then knows no byte offsets.
            throw ImageFnException.invalid("a structured CloudEvent must be UTF-8 JSON");
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - start);
        out.write(body, start, end - start);
        return out.toByteArray();
    }

    private static String text(JsonParser p, String name) throws IOException {
        if (p.currentToken() == JsonToken.VALUE_NULL) {
            return null;
        }
        if (p.currentToken() != JsonToken.VALUE_STRING) {
            throw ImageFnException.invalid("CloudEvent attribute '" + name + "' must be a string");
        }
        return p.getText();
    }

    /** Standard base64 (RFC 4648 §4); line breaks and spaces are allowed, other characters are not skipped. */
    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getDecoder().decode(text.replaceAll("[ \\t\\r\\n]", ""));
        } catch (IllegalArgumentException e) {
            throw ImageFnException.invalid("CloudEvent data_base64 is not valid base64");
        }
    }

    public static void checkSpecVersion(String specVersion) {
        if (specVersion == null) {
            throw ImageFnException.invalid("CloudEvent attribute 'specversion' is required");
        }
        if (!CloudEvent.SPEC_VERSION.equals(specVersion)) {
            throw ImageFnException.invalid("CloudEvent specversion '" + specVersion + "' is not supported; use 1.0");
        }
    }

    public static void checkDataContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return;
        }
        String media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !media.equals("text/json") && !media.endsWith("+json")) {
            throw ImageFnException.invalid("CloudEvent data must be JSON, not '" + media + "'");
        }
    }

}
