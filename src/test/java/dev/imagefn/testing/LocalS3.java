package dev.imagefn.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * S3Proxy (a real S3 API server) as a child JVM on 127.0.0.1 with a filesystem backend: objects land as
 * plain files under {@code dataDir/<bucket>/<key>}. The jar is copied to {@code target/localstack} by the build.
 */
public final class LocalS3 implements AutoCloseable {
    public static final String ACCESS_KEY = "local-access-key";
    public static final String SECRET_KEY = "local-secret-key";

    private final Process process;
    private final int port;
    private final Path dataDir;

    private LocalS3(Process process, int port, Path dataDir) {
        this.process = process;
        this.port = port;
        this.dataDir = dataDir;
    }

    public static LocalS3 start(Path localstackDir, int port) throws IOException {
        Path jar = localstackDir.resolve("s3proxy.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar + " is missing: run the Maven build (it copies S3Proxy there)");
        }
        int chosen = port > 0 ? port : freePort();
        Path dataDir = Files.createDirectories(localstackDir.resolve("s3-data-" + chosen));
        Path props = localstackDir.resolve("s3proxy-" + chosen + ".properties");
        Files.writeString(props, String.join("\n",
                "s3proxy.endpoint=http://127.0.0.1:" + chosen,
                "s3proxy.authorization=aws-v2-or-v4",
                "s3proxy.identity=" + ACCESS_KEY,
                "s3proxy.credential=" + SECRET_KEY,
                "jclouds.provider=filesystem",
                "jclouds.filesystem.basedir=" + dataDir.toAbsolutePath(),
                ""));
        String java = ProcessHandle.current().info().command().orElse("java");
        // A small shell keeps watch: S3Proxy goes when this JVM goes, however it ends.
        String server = String.join(" ", List.of(quote(java), "-Xmx256m", "-XX:+UseSerialGC", "-jar",
                quote(jar.toString()), "--properties", quote(props.toString())));
        String watch = server + " & c=$!; trap 'kill $c 2>/dev/null; exit 0' TERM INT; "
                + "while kill -0 " + ProcessHandle.current().pid() + " 2>/dev/null && kill -0 $c 2>/dev/null; "
                + "do sleep 1; done; kill $c 2>/dev/null; wait $c";
        Process p = new ProcessBuilder(List.of("/bin/sh", "-c", watch))
                .redirectErrorStream(true)
                .redirectOutput(localstackDir.resolve("s3proxy-" + chosen + ".log").toFile())
                .start();
        LocalS3 s3 = new LocalS3(p, chosen, dataDir);
        s3.awaitReady(Duration.ofSeconds(60));
        return s3;
    }

    public int port() {
        return port;
    }

    public String endpoint() {
        return "http://127.0.0.1:" + port;
    }

    /** The file S3Proxy keeps an object's bytes in. */
    public Path file(String bucket, String key) {
        return dataDir.resolve(bucket).resolve(key);
    }

    public Path dataDir() {
        return dataDir;
    }

    private void awaitReady(Duration timeout) {
        long end = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < end) {
            if (!process.isAlive()) {
                throw new IllegalStateException("S3Proxy exited with " + process.exitValue() + "; see its log");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                sleep(100);
            }
        }
        throw new IllegalStateException("S3Proxy did not start within " + timeout);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(java.util.concurrent.TimeUnit.SECONDS.toSeconds(5), java.util.concurrent.TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
