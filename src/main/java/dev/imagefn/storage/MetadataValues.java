package dev.imagefn.storage;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * User metadata as it was written. S3 returns a value with characters outside US-ASCII as RFC 2047 encoded words
 * ({@code =?UTF-8?B?RsO8Y2hzZQ==?=}), the whole value, split into words separated by whitespace; this decodes such a
 * value. The bytes of adjacent words in one charset are joined before decoding (a character may be split between
 * two). A value that is not wholly encoded words (plain text, which may hold {@code =?...?=} as written), or one with
 * a word in an unknown charset or with bad data (bytes that are not text in the charset, a blank or a control
 * character), is left as it came.
 */
final class MetadataValues {
    private static final String WORD = "=\\?([^?*\\s]+)(?:\\*[^?\\s]*)?\\?([BbQq])\\?([\\x21-\\x3e\\x40-\\x7e]+)\\?=";
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
        try {
            while (m.find()) {
                Charset cs = Charset.forName(m.group(1));
                byte[] bytes = m.group(2).equalsIgnoreCase("B") ? Base64.getDecoder().decode(m.group(3))
                        : quoted(m.group(3));
                if (bytes == null) {
                    return value;
                }
                if (runCharset != null && !runCharset.equals(cs)) {
                    out.append(strict(runCharset, run.toByteArray()));
                    run.reset();
                }
                runCharset = cs;
                run.writeBytes(bytes);
            }
            out.append(strict(runCharset, run.toByteArray()));
        } catch (IllegalArgumentException | CharacterCodingException e) { // unknown charset, bad base64 or bytes
            return value;
        }
        // What S3 encoded was printable text: a blank or control-bearing result is not what was written.
        return out.toString().isBlank() || out.chars().anyMatch(Character::isISOControl) ? value : out.toString();
    }

    private static String strict(Charset cs, byte[] bytes) throws CharacterCodingException {
        return cs.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
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
                char hi = text.charAt(i + 1);
                char lo = text.charAt(i + 2);
                if (!HexFormat.isHexDigit(hi) || !HexFormat.isHexDigit(lo)) {
                    return null;
                }
                out.write(HexFormat.fromHexDigit(hi) << 4 | HexFormat.fromHexDigit(lo));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toByteArray();
    }
}
