package dev.imagefn.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * HTTP/1.1 by hand over a {@link Socket} to 127.0.0.1, for what HTTP clients will not do: declare a length and send
 * nothing, trickle a body, stream a huge chunked body while the answer is read. Test code only.
 */
public final class RawHttp implements AutoCloseable {
    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;

    /** One answer as it came: status, headers (lower-case names), body, and when its status line arrived. */
    public record Answer(int status, Map<String, String> headers, byte[] body, long arrivedNanos) {
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    /** Header pairs in order: name, value, name, value... */
    public static Map<String, String> headers(String... pairs) {
        Map<String, String> h = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            h.put(pairs[i], pairs[i + 1]);
        }
        return h;
    }

    public RawHttp(int port, Duration readTimeout) throws IOException {
        socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
        socket.setSoTimeout((int) readTimeout.toMillis());
        socket.setTcpNoDelay(true);
        out = socket.getOutputStream();
        in = new java.io.BufferedInputStream(socket.getInputStream());
    }

    /** The request line and headers, {@code Host} included; the blank line ends them. */
    public void head(String method, String path, int port, Map<String, String> headers) throws IOException {
        StringBuilder b = new StringBuilder(method).append(' ').append(path).append(" HTTP/1.1\r\n")
                .append("Host: 127.0.0.1:").append(port).append("\r\n");
        headers.forEach((k, v) -> b.append(k).append(": ").append(v).append("\r\n"));
        b.append("\r\n");
        write(b.toString().getBytes(StandardCharsets.US_ASCII));
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    public void write(String ascii) throws IOException {
        write(ascii.getBytes(StandardCharsets.US_ASCII));
    }

    /** One chunk of a chunked body; an empty one ends the body. */
    public void chunk(byte[] data, int off, int len) throws IOException {
        out.write((Integer.toHexString(len) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(data, off, len);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    public void endChunks() throws IOException {
        write("0\r\n\r\n");
    }

    /** Reads one answer; a read timeout or a closed connection before the status line is an IOException. */
    public Answer read() throws IOException {
        String status = line();
        long arrived = System.nanoTime();
        if (status == null) {
            throw new IOException("the connection closed before an answer");
        }
        String[] parts = status.split(" ", 3);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String h = line(); h != null && !h.isEmpty(); h = line()) {
            int colon = h.indexOf(':');
            headers.put(h.substring(0, colon).strip().toLowerCase(Locale.ROOT), h.substring(colon + 1).strip());
        }
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
            for (int n = Integer.parseInt(line().split(";")[0].strip(), 16); n > 0;
                    n = Integer.parseInt(line().split(";")[0].strip(), 16)) {
                body.write(in.readNBytes(n));
                line();
            }
            line();
        } else if (headers.containsKey("content-length")) {
            body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
        }
        return new Answer(Integer.parseInt(parts[1]), headers, body.toByteArray(), arrived);
    }

    /** True when the server closed the connection (end of stream or reset) within {@code wait}. */
    public boolean closedByServer(Duration wait) throws IOException {
        int timeout = socket.getSoTimeout();
        socket.setSoTimeout((int) wait.toMillis());
        try {
            return in.read() < 0;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        } finally {
            if (!socket.isClosed()) {
                socket.setSoTimeout(timeout);
            }
        }
    }

    private String line() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) >= 0) {
            if (c == '\n') {
                String s = b.toString(StandardCharsets.ISO_8859_1);
                return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
            }
            b.write(c);
        }
        return b.size() == 0 ? null : b.toString(StandardCharsets.ISO_8859_1);
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing
        }
    }
}
