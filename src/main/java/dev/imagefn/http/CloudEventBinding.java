package dev.imagefn.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.imagefn.core.ImageFnException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;
import java.util.function.Function;

/**
 * The CloudEvents 1.0 HTTP protocol binding, hand-written (about a hundred lines) rather than the
 * CloudEvents Java SDK: the SDK's JSON format pulls in Jackson databind, while imagefn keeps every JSON
 * path reflection-free for the native image and parses the event's {@code data} with its own reader.
 * Binary mode: {@code ce-*} headers, body = data. Structured mode: {@code application/cloudevents+json}.
 * Batch mode is refused.
 */
public final class CloudEventBinding {
    static final String STRUCTURED = "application/cloudevents+json";
    static final String BATCH = "application/cloudevents-batch+json";
    private static final JsonFactory JSON = new JsonFactory();

    private CloudEventBinding() {
    }

    /** {@code header} looks up a request header by name, case-insensitively. */
    static CloudEvent fromHttp(Function<String, String> header, byte[] body) {
        String contentType = header.apply("Content-Type");
        String media = contentType == null ? "" : contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (media.equals(BATCH)) {
            throw ImageFnException.invalid("batched CloudEvents (" + BATCH + ") are not supported; send one event "
                    + "per request, in binary or structured mode");
        }
        if (media.startsWith("application/cloudevents")) {
            return structured(body);
        }
        String specVersion = header.apply("ce-specversion");
        if (specVersion == null) {
            throw ImageFnException.invalid("not a CloudEvent: send ce-specversion, ce-id, ce-source and ce-type "
                    + "headers (binary mode) or a " + STRUCTURED + " body (structured mode)");
        }
        checkSpecVersion(decode(specVersion));
        CloudEvent event = new CloudEvent(required(header, "id"), required(header, "source"), required(header, "type"),
                optional(header.apply("ce-subject")), contentType, body);
        checkDataContentType(event.dataContentType());
        return event;
    }

    private static String required(Function<String, String> header, String attribute) {
        String value = header.apply("ce-" + attribute);
        if (value == null || value.isBlank()) {
            throw ImageFnException.invalid("CloudEvent attribute '" + attribute + "' is required (header ce-"
                    + attribute + ")");
        }
        return decode(value);
    }

    private static String optional(String value) {
        return value == null ? null : decode(value);
    }

    /** A structured-mode CloudEvent (JSON format), as found in a queue message or a file. */
    public static CloudEvent structured(byte[] body) {
        String specVersion = null, id = null, source = null, type = null, subject = null, dataContentType = null;
        byte[] data = null;
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
                    case "data" -> data = rawValue(p, body, v);
                    case "data_base64" -> data = v == JsonToken.VALUE_NULL ? null : decodeBase64(text(p, name));
                    default -> p.skipChildren();
                }
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

    private static byte[] decodeBase64(String text) {
        try {
            return Base64.getMimeDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw ImageFnException.invalid("CloudEvent data_base64 is not valid base64");
        }
    }

    private static void checkSpecVersion(String specVersion) {
        if (specVersion == null) {
            throw ImageFnException.invalid("CloudEvent attribute 'specversion' is required");
        }
        if (!CloudEvent.SPEC_VERSION.equals(specVersion)) {
            throw ImageFnException.invalid("CloudEvent specversion '" + specVersion + "' is not supported; use 1.0");
        }
    }

    private static void checkDataContentType(String contentType) {
        if (contentType == null || contentType.isBlank()) {
            return;
        }
        String media = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
        if (!media.equals("application/json") && !media.equals("text/json") && !media.endsWith("+json")) {
            throw ImageFnException.invalid("CloudEvent data must be JSON, not '" + media + "'");
        }
    }

    /** Percent-encodes what may not stand in a header value: non-printable or non-ASCII characters, and '%'. */
    static String encode(String value) {
        StringBuilder sb = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && c != '%' && c != '"') {
                sb.append((char) c);
            } else {
                sb.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return sb.toString();
    }

    /** Header values are percent-encoded for characters outside printable ASCII (binding spec §3.1.3.2). */
    static String decode(String value) {
        if (value.indexOf('%') < 0) {
            return value;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '%' && i + 2 < value.length()) {
                int hi = Character.digit(value.charAt(i + 1), 16);
                int lo = Character.digit(value.charAt(i + 2), 16);
                if (hi >= 0 && lo >= 0) {
                    out.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
