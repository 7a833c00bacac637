package dev.imagefn.delivery.http;

import dev.imagefn.delivery.CloudEvent;
import dev.imagefn.core.ImageFnException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.function.Function;

/**
 * The CloudEvents 1.0 HTTP protocol binding. Binary mode: {@code ce-*} headers, body = data. Structured mode:
 * {@code application/cloudevents+json} ({@link CloudEvent#structured}). Batch mode is refused.
 */
public final class CloudEventsHttp {
    static final String STRUCTURED = "application/cloudevents+json";
    static final String BATCH = "application/cloudevents-batch+json";

    private CloudEventsHttp() {
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
            return CloudEvent.structured(body);
        }
        String specVersion = header.apply("ce-specversion");
        if (specVersion == null) {
            throw ImageFnException.invalid("not a CloudEvent: send ce-specversion, ce-id, ce-source and ce-type "
                    + "headers (binary mode) or a " + STRUCTURED + " body (structured mode)");
        }
        CloudEvent.checkSpecVersion(decode(specVersion));
        CloudEvent event = new CloudEvent(required(header, "id"), required(header, "source"), required(header, "type"),
                optional(header.apply("ce-subject")), contentType, body);
        CloudEvent.checkDataContentType(event.dataContentType());
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
