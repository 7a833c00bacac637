package dev.imagefn.storage;

import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * User metadata as it was written. S3 returns a value with characters outside US-ASCII as RFC 2047 encoded words
 * ({@code =?UTF-8?B?RsO8Y2hzZQ==?=}); this decodes them. Whitespace between two encoded words is dropped, as the
 * RFC says; a word in an unknown charset or with bad data is left as it came.
 */
final class MetadataValues {
    private static final Pattern WORD = Pattern.compile("=\\?([^?*\\s]+)(?:\\*[^?\\s]*)?\\?([BbQq])\\?([^?\\s]*)\\?=");
    private static final Pattern BETWEEN_WORDS = Pattern.compile("(\\?=)\\s+(=\\?)");

    private MetadataValues() {
    }

    static Map<String, String> decoded(Map<String, String> metadata) {
        if (metadata == null || metadata.values().stream().noneMatch(v -> v != null && v.contains("=?"))) {
            return metadata;
        }
        Map<String, String> out = new LinkedHashMap<>();
        metadata.forEach((k, v) -> out.put(k, v == null ? null : decode(v)));
        return out;
    }

    static String decode(String value) {
        if (!value.contains("=?")) {
            return value;
        }
        String joined = BETWEEN_WORDS.matcher(value).replaceAll("$1$2");
        Matcher m = WORD.matcher(joined);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String word = word(m.group(1), m.group(2), m.group(3));
            m.appendReplacement(out, Matcher.quoteReplacement(word == null ? m.group() : word));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String word(String charset, String encoding, String text) {
        try {
            Charset cs = Charset.forName(charset);
            byte[] bytes = encoding.equalsIgnoreCase("B") ? Base64.getDecoder().decode(text) : quoted(text);
            return bytes == null ? null : new String(bytes, cs);
        } catch (IllegalArgumentException e) { // unknown charset, bad base64
            return null;
        }
    }

    private static byte[] quoted(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '_') {
                out.write(' ');
            } else if (c == '=') {
                if (i + 2 >= text.length()) {
                    return null;
                }
                int hi = Character.digit(text.charAt(i + 1), 16);
                int lo = Character.digit(text.charAt(i + 2), 16);
                if (hi < 0 || lo < 0) {
                    return null;
                }
                out.write(hi << 4 | lo);
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
