package dev.imagefn.delivery.http;

import dev.imagefn.delivery.CloudEvent;
import dev.imagefn.core.ImageFnException;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
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
        String decoded = value == null ? null : decode(value);
        if (decoded == null || decoded.isBlank()) {
            throw ImageFnException.invalid("CloudEvent attribute '" + attribute + "' is required (header ce-"
                    + attribute + ")");
        }
        return decoded;
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

    /**
     * A {@code ce-} header value as the binding (§3.1.3.2) reads it: double-quoted strings unescaped first (as RFC 7230
     * §3.2.6 writes them; older senders quote), then one round of percent-decoding. Bytes that are not UTF-8 once
     * decoded are refused, not replaced: two ids that differ only there would be one event.
     */
    static String decode(String value) {
        String unquoted = value.indexOf('"') < 0 ? value : unquote(value);
        if (unquoted.indexOf('%') < 0) {
            return unquoted;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < unquoted.length(); i++) {
            char c = unquoted.charAt(i);
            if (c == '%' && i + 2 < unquoted.length()) {
                int hi = hex(unquoted.charAt(i + 1));
                int lo = hex(unquoted.charAt(i + 2));
                if (hi >= 0 && lo >= 0) {
                    out.write(hi << 4 | lo);
                    i += 2;
                    continue;
                }
            }
            out.writeBytes(String.valueOf(c).getBytes(StandardCharsets.UTF_8));
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(out.toByteArray()))
                    .toString();
        } catch (CharacterCodingException e) {
            throw ImageFnException.invalid("a ce- header is not UTF-8 once percent-decoded: " + encode(value));
        }
    }

    /** An ASCII hex digit's value, or -1 ({@link Character#digit} also takes other scripts' digits). */
    private static int hex(char c) {
        return c < 0x80 ? Character.digit(c, 16) : -1;
    }

    private static String unquote(String value) {
        StringBuilder sb = new StringBuilder(value.length());
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"') {
                quoted = !quoted;
            } else if (quoted && c == '\\' && i + 1 < value.length()) {
                sb.append(value.charAt(++i));
            } else {
                sb.append(c);
            }
        }
        if (quoted) {
            throw ImageFnException.invalid("a ce- header has a quoted string that does not end: " + encode(value));
        }
        return sb.toString();
    }
}
