package dev.imagefn.core;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Checks of caller text that ends up in object keys or is hashed into them. Each answer names the problem,
 * never the offending text; {@code null} means fine.
 */
public final class ObjectText {
    /** S3's own limit for a whole key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 1024;
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    private ObjectText() {
    }

    /**
     * Characters that do not survive storage unchanged or that disguise a key: lone surrogates (stored as
     * {@code ?}), C0 and C1 controls, DEL, bidirectional controls, and the noncharacters U+FFFE and U+FFFF
     * (not allowed in the XML of S3 listings).
     */
    public static String badCharacter(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return "a lone UTF-16 surrogate (not encodable as UTF-8)";
            } else if (c < 0x20 || (c >= 0x7f && c <= 0x9f)) {
                return "a control character";
            } else if (c == 0x061c || c == 0x200e || c == 0x200f || (c >= 0x202a && c <= 0x202e)
                    || (c >= 0x2066 && c <= 0x2069)) {
                return "a bidirectional control character";
            } else if (c == 0xfffe || c == 0xffff) {
                return "a Unicode noncharacter";
            }
        }
        return null;
    }

    /** A relative path of non-empty segments, none of them {@code .} or {@code ..}, no backslash, clean text. */
    public static String pathProblem(String key) {
        if (key.isEmpty()) {
            return "is empty";
        }
        if (key.indexOf('\\') >= 0) {
            return "contains a backslash";
        }
        for (String segment : key.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                return "has an empty, '.' or '..' segment (or a leading or trailing '/')";
            }
        }
        String bad = badCharacter(key);
        if (bad != null) {
            return "contains " + bad;
        }
        return key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES
                ? "is longer than " + MAX_KEY_BYTES + " bytes" : null;
    }

    /** S3 bucket naming: 3 to 63 of {@code a-z 0-9 . -}, a letter or digit at both ends, no {@code ..}, no IP form. */
    public static String bucketProblem(String bucket) {
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..") || IPV4.matcher(bucket).matches()) {
            return "is not a valid bucket name";
        }
        return null;
    }
}
