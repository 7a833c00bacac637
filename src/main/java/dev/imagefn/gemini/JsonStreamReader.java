package dev.imagefn.gemini;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;

/**
 * A small pull reader for JSON over a byte stream. Hand-written rather than Jackson because the hot path
 * needs to decode a 20-million-character base64 string straight into bytes while accepting both the
 * standard and the URL-safe alphabet (proto3 JSON allows either); Jackson's {@code readBinaryValue}
 * takes one alphabet only. String values are lazy: {@link #string}, {@link #decodeBase64} or the next
 * {@link #next} consume them, so a skipped image is never buffered.
 */
final class JsonStreamReader {
    enum Token { START_OBJECT, END_OBJECT, START_ARRAY, END_ARRAY, FIELD, STRING, NUMBER, TRUE, FALSE, NULL, EOF }

    private static final int[] BASE64 = new int[128];

    static {
        java.util.Arrays.fill(BASE64, -1);
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        for (int i = 0; i < alphabet.length(); i++) {
            BASE64[alphabet.charAt(i)] = i;
        }
        BASE64['+'] = 62;
        BASE64['-'] = 62;
        BASE64['/'] = 63;
        BASE64['_'] = 63;
    }

    private final InputStream in;
    private final byte[] buf = new byte[64 * 1024];
    private final int maxStringChars;
    private int pos;
    private int limit;
    private long offset;
    /** Depth stack: true for an object, false for an array. */
    private final boolean[] stack = new boolean[64];
    private int depth;
    private boolean expectValue;
    private boolean pendingString;
    private String field;
    private String number;

    JsonStreamReader(InputStream in, int maxStringChars) {
        this.in = in;
        this.maxStringChars = maxStringChars;
    }

    Token next() throws IOException {
        if (pendingString) {
            skipString();
        }
        int c = skipSpace();
        if (c == ',' ) {
            c = skipSpace();
        }
        if (c == -1) {
            if (depth != 0) {
                throw error("unexpected end of input (truncated JSON)");
            }
            return Token.EOF;
        }
        boolean inObject = depth > 0 && stack[depth - 1];
        if (inObject && !expectValue && c != '}') {
            if (c != '"') {
                throw error("expected a field name");
            }
            field = readString(maxStringChars, false);
            if (skipSpace() != ':') {
                throw error("expected ':'");
            }
            expectValue = true;
            return Token.FIELD;
        }
        expectValue = false;
        switch (c) {
            case '{' -> {
                push(true);
                return Token.START_OBJECT;
            }
            case '[' -> {
                push(false);
                return Token.START_ARRAY;
            }
            case '}', ']' -> {
                if (depth == 0 || stack[depth - 1] != (c == '}')) {
                    throw error("unbalanced '" + (char) c + "'");
                }
                depth--;
                return c == '}' ? Token.END_OBJECT : Token.END_ARRAY;
            }
            case '"' -> {
                pendingString = true;
                return Token.STRING;
            }
            case 't' -> {
                expect("rue");
                return Token.TRUE;
            }
            case 'f' -> {
                expect("alse");
                return Token.FALSE;
            }
            case 'n' -> {
                expect("ull");
                return Token.NULL;
            }
            default -> {
                if (c == '-' || (c >= '0' && c <= '9')) {
                    number = readNumber(c);
                    return Token.NUMBER;
                }
                throw error("unexpected character '" + (char) c + "'");
            }
        }
    }

    String field() {
        return field;
    }

    String number() {
        return number;
    }

    /** The current string value, cut to {@code maxStringChars} (the rest is read and dropped). */
    String string() throws IOException {
        pendingString = false;
        return readString(maxStringChars, true);
    }

    /** Skips the value whose first token was just returned (an object, array or scalar). */
    void skipValue(Token first) throws IOException {
        if (first == Token.START_OBJECT || first == Token.START_ARRAY) {
            int target = depth - 1;
            while (depth > target) {
                if (next() == Token.EOF) {
                    throw error("unexpected end of input (truncated JSON)");
                }
            }
        } else if (first == Token.STRING && pendingString) {
            skipString();
        }
    }

    /**
     * Decodes the current string value as base64 into {@code out}: standard or URL-safe alphabet, padding
     * optional, whitespace and JSON escapes allowed. Returns the number of bytes written.
     */
    long decodeBase64(OutputStream out) throws IOException {
        pendingString = false;
        byte[] chunk = new byte[48 * 1024];
        int n = 0;
        int bits = 0;
        int count = 0;
        long written = 0;
        boolean padded = false;
        while (true) {
            // Fast path: plain base64 characters straight from the input buffer.
            if (!padded) {
                int p = pos;
                int lim = limit;
                byte[] b = buf;
                while (p < lim) {
                    int c = b[p];
                    int v = c >= 0 ? BASE64[c] : -1;
                    if (v < 0) {
                        break;
                    }
                    p++;
                    bits = bits << 6 | v;
                    if (++count == 4) {
                        chunk[n] = (byte) (bits >> 16);
                        chunk[n + 1] = (byte) (bits >> 8);
                        chunk[n + 2] = (byte) bits;
                        n += 3;
                        count = 0;
                        bits = 0;
                        if (n > chunk.length - 3) {
                            out.write(chunk, 0, n);
                            written += n;
                            n = 0;
                        }
                    }
                }
                pos = p;
            }
            int c = read();
            if (c == -1) {
                throw error("unexpected end of input inside base64 data (truncated JSON)");
            }
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                c = readEscape();
            }
            if (c == '=') {
                padded = true;
                continue;
            }
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                continue;
            }
            int v = c < 128 ? BASE64[c] : -1;
            if (v < 0 || padded) {
                throw error(padded ? "base64 data continues after padding" : "invalid base64 character");
            }
            bits = bits << 6 | v;
            if (++count == 4) {
                chunk[n++] = (byte) (bits >> 16);
                chunk[n++] = (byte) (bits >> 8);
                chunk[n++] = (byte) bits;
                count = 0;
                bits = 0;
                if (n > chunk.length - 3) {
                    out.write(chunk, 0, n);
                    written += n;
                    n = 0;
                }
            }
        }
        if (count == 1) {
            throw error("base64 data has a dangling character");
        } else if (count == 2) {
            chunk[n++] = (byte) (bits >> 4);
        } else if (count == 3) {
            chunk[n++] = (byte) (bits >> 10);
            chunk[n++] = (byte) (bits >> 2);
        }
        out.write(chunk, 0, n);
        return written + n;
    }

    private void push(boolean object) throws IOException {
        if (depth == stack.length) {
            throw error("nesting too deep");
        }
        stack[depth++] = object;
    }

    private void skipString() throws IOException {
        pendingString = false;
        while (true) {
            int c = read();
            if (c == -1) {
                throw error("unexpected end of input inside a string (truncated JSON)");
            }
            if (c == '"') {
                return;
            }
            if (c == '\\') {
                read();
            }
        }
    }

    private String readString(int max, boolean truncate) throws IOException {
        StringBuilder sb = new StringBuilder();
        java.io.ByteArrayOutputStream utf8 = new java.io.ByteArrayOutputStream();
        while (true) {
            int c = read();
            if (c == -1) {
                throw error("unexpected end of input inside a string (truncated JSON)");
            }
            if (c == '"') {
                break;
            }
            if (c == '\\') {
                flushUtf8(utf8, sb);
                sb.append((char) readEscape());
            } else if (c < 0x80) {
                flushUtf8(utf8, sb);
                sb.append((char) c);
            } else {
                utf8.write(c);
            }
            if (sb.length() + utf8.size() > max) {
                if (!truncate) {
                    throw error("string longer than " + max + " characters");
                }
                flushUtf8(utf8, sb);
                skipString();
                return sb.substring(0, Math.min(sb.length(), max));
            }
        }
        flushUtf8(utf8, sb);
        return sb.toString();
    }

    private static void flushUtf8(java.io.ByteArrayOutputStream utf8, StringBuilder sb) {
        if (utf8.size() > 0) {
            sb.append(utf8.toString(StandardCharsets.UTF_8));
            utf8.reset();
        }
    }

    private int readEscape() throws IOException {
        int c = read();
        return switch (c) {
            case '"', '\\', '/' -> c;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            case 'u' -> {
                int v = 0;
                for (int i = 0; i < 4; i++) {
                    int h = Character.digit(read(), 16);
                    if (h < 0) {
                        throw error("bad \\u escape");
                    }
                    v = v << 4 | h;
                }
                yield v;
            }
            default -> throw error("bad escape");
        };
    }

    private String readNumber(int first) throws IOException {
        StringBuilder sb = new StringBuilder().append((char) first);
        while (true) {
            int c = peek();
            if ((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
                sb.append((char) read());
                if (sb.length() > 64) {
                    throw error("number too long");
                }
            } else {
                return sb.toString();
            }
        }
    }

    private void expect(String rest) throws IOException {
        for (int i = 0; i < rest.length(); i++) {
            if (read() != rest.charAt(i)) {
                throw error("bad literal");
            }
        }
    }

    private int skipSpace() throws IOException {
        while (true) {
            int c = read();
            if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
                return c;
            }
        }
    }

    private int peek() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos] & 0xff;
    }

    private int read() throws IOException {
        if (pos == limit && !fill()) {
            return -1;
        }
        return buf[pos++] & 0xff;
    }

    private boolean fill() throws IOException {
        offset += limit;
        pos = 0;
        limit = 0;
        int n = in.read(buf, 0, buf.length);
        if (n <= 0) {
            return false;
        }
        limit = n;
        return true;
    }

    MalformedJson error(String message) {
        return new MalformedJson(message + " at byte " + (offset + pos));
    }

    static final class MalformedJson extends IOException {
        MalformedJson(String message) {
            super(message);
        }
    }
}
