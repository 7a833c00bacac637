package dev.imagefn.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A TCP proxy on 127.0.0.1 (free port) in front of an HTTP/1.1 server. It passes everything through until
 * {@link #cutPutsAfter} arms it: from then on, every PUT request whose body goes past that many bytes has its
 * connection reset in the middle of the body, as a dropped network link would. Requests are followed by their
 * {@code Content-Length}, so keep-alive connections are handled.
 */
public final class CuttingProxy implements AutoCloseable {
    private final ServerSocket server;
    private final IntSupplier upstreamPort;
    private volatile long cutAfter = -1;
    private volatile long flipAt = -1;
    private volatile String lastPutHead;
    private final AtomicInteger cuts = new AtomicInteger();

    public CuttingProxy(IntSupplier upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread accept = new Thread(this::acceptLoop, "cutting-proxy");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port();
    }

    /**
     * Every PUT from now on is cut after {@code bodyBytes} bytes of its body; 0 cuts it right after its headers,
     * while the client still waits for {@code 100 Continue}.
     */
    public void cutPutsAfter(long bodyBytes) {
        cutAfter = bodyBytes;
    }

    public void passThrough() {
        cutAfter = -1;
        flipAt = -1;
    }

    /** Every PUT from now on has the body byte at {@code offset} inverted on its way, as a damaged link would. */
    public void flipPutByteAt(long offset) {
        flipAt = offset;
    }

    /** The request line and headers of the last PUT that came through, as sent. */
    public String lastPutHead() {
        return lastPutHead;
    }

    /** Connections cut so far. */
    public int cuts() {
        return cuts.get();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket();
                upstream.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), upstreamPort.getAsInt()));
                start("cutting-proxy-down", () -> copy(upstream, client));
                start("cutting-proxy-up", () -> requests(client, upstream));
            } catch (IOException e) {
                // closed, or the upstream is gone: the client sees its connection end
            }
        }
    }

    private static void start(String name, Runnable r) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        t.start();
    }

    /** Server to client: bytes as they come. */
    private static void copy(Socket from, Socket to) {
        try (from; to) {
            from.getInputStream().transferTo(to.getOutputStream());
        } catch (IOException e) {
            // either side went away
        }
    }

    /** Client to server, request by request, so that a PUT body can be cut. */
    private void requests(Socket client, Socket upstream) {
        try (client; upstream) {
            InputStream in = client.getInputStream();
            OutputStream out = upstream.getOutputStream();
            while (true) {
                byte[] head = readHead(in);
                if (head == null) {
                    return;
                }
                out.write(head);
                out.flush();
                String text = new String(head, StandardCharsets.ISO_8859_1);
                boolean put = text.startsWith("PUT ");
                if (put) {
                    lastPutHead = text;
                }
                long flip = put ? flipAt : -1;
                long length = contentLength(text);
                long limit = put ? cutAfter : -1;
                if (limit == 0) {
                    cut(client, upstream);
                    return;
                }
                long sent = 0;
                byte[] buf = new byte[8192];
                while (length < 0 || sent < length) {
                    int want = (int) Math.min(buf.length, length < 0 ? buf.length : length - sent);
                    if (limit >= 0) {
                        want = (int) Math.min(want, Math.max(1, limit - sent));
                    }
                    int n = in.read(buf, 0, want);
                    if (n < 0) {
                        return;
                    }
                    if (limit >= 0 && sent + n > limit) {
                        out.write(buf, 0, (int) (limit - sent));
                        out.flush();
                        cut(client, upstream);
                        return;
                    }
                    if (flip >= sent && flip < sent + n) {
                        buf[(int) (flip - sent)] ^= (byte) 0xff;
                    }
                    out.write(buf, 0, n);
                    sent += n;
                }
                out.flush();
            }
        } catch (IOException e) {
            // either side went away
        }
    }

    private void cut(Socket client, Socket upstream) throws IOException {
        cuts.incrementAndGet();
        reset(client);
        reset(upstream);
    }

    private static void reset(Socket s) throws IOException {
        s.setSoLinger(true, 0);
        s.close();
    }

    /** The request line and headers up to the blank line, or null at the end of the connection. */
    private static byte[] readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == '\r' && (matched == 0 || matched == 2)) || (b == '\n' && (matched == 1 || matched == 3))
                    ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) {
                return head.toByteArray();
            }
            if (head.size() > 64 * 1024) {
                throw new IOException("request head too long");
            }
        }
        return null;
    }

    /** The body length; -1 when the body is chunked (then the rest of the connection is passed on as it is). */
    private static long contentLength(String head) {
        long length = 0;
        for (String line : head.split("\r\n")) {
            String l = line.toLowerCase(Locale.ROOT);
            if (l.startsWith("content-length:")) {
                length = Long.parseLong(l.substring(15).strip());
            } else if (l.startsWith("transfer-encoding:") && l.contains("chunked")) {
                return -1;
            }
        }
        return length;
    }
}
