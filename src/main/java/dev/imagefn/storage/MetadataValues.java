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
 * ({@code =?UTF-8?B?RsO8Y2hzZQ==?=}), the whole value, split into words separated by whitespace; this decodes such a
 * value. The bytes of adjacent words in one charset are joined before decoding (a character may be split between
 * two). A value that is not wholly encoded words (plain text, which may hold {@code =?...?=} as written), or one with
 * a word in an unknown charset or with bad data, is left as it came.
 */
final class MetadataValues {
    private static final String WORD = "=\\?([^?*\\s]+)(?:\\*[^?\\s]*)?\\?([BbQq])\\?([^?\\s]*)\\?=";
    private static final Pattern ONE = Pattern.compile(WORD);
    private static final Pattern ALL = Pattern.compile(WORD + "(?:\\s+" + WORD + ")*");

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
        String trimmed = value.strip();
        if (!trimmed.startsWith("=?") || !ALL.matcher(trimmed).matches()) {
            return value;
        }
        StringBuilder out = new StringBuilder();
        ByteArrayOutputStream run = new ByteArrayOutputStream();
        Charset runCharset = null;
        Matcher m = ONE.matcher(trimmed);
        while (m.find()) {
            Charset cs;
            byte[] bytes;
            try {
                cs = Charset.forName(m.group(1));
                bytes = m.group(2).equalsIgnoreCase("B") ? Base64.getDecoder().decode(m.group(3)) : quoted(m.group(3));
            } catch (IllegalArgumentException e) { // unknown charset, bad base64
                return value;
            }
            if (bytes == null) {
                return value;
            }
            if (runCharset != null && !runCharset.equals(cs)) {
                out.append(new String(run.toByteArray(), runCharset));
                run.reset();
            }
            runCharset = cs;
            run.writeBytes(bytes);
        }
        out.append(new String(run.toByteArray(), runCharset));
        return out.toString();
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
