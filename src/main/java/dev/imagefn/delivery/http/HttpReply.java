package dev.imagefn.delivery.http;

import java.util.LinkedHashMap;
import java.util.Map;

/** A status, headers (Content-Type among them) and a body: what every HTTP-shaped trigger answers. */
public record HttpReply(int status, Map<String, String> headers, byte[] body) {

    public HttpReply {
        headers = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(headers));
    }

    public String contentType() {
        return headers.get("Content-Type");
    }

    /** The same reply with {@code name} set to {@code value}. */
    public HttpReply with(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpReply(status, h, body);
    }
}
