package dev.imagefn.delivery.http;

import java.util.UUID;
import java.util.regex.Pattern;

/** The request ID: the caller's {@code X-Request-Id} when it is sane, else a fresh one. */
public final class RequestIds {
    public static final String HEADER = "X-Request-Id";
    private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

    private RequestIds() {
    }

    public static String accept(String header) {
        return header != null && SANE.matcher(header).matches() ? header : UUID.randomUUID().toString();
    }
}
