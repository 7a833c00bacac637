package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code deploy/aws/check-bootstrap.sh}, which {@code make lambda-native} runs on the native function.zip, accepts
 * what provided.al2023 can run and refuses what it cannot. Without a native build here, real executables of this
 * machine stand in for the bootstrap: one that needs at most glibc 2.34 and one that needs more.
 */
class BootstrapCheckTest {
    private static final Path SCRIPT = Path.of("deploy/aws/check-bootstrap.sh");
    private static final Pattern GLIBC = Pattern.compile("GLIBC_(\\d+)\\.(\\d+)");

    @TempDir
    Path dir;

    @Test
    void makeAndTheTemplateAgreeOnTheArchitecture() throws Exception {
        String arch = new ObjectMapper(new YAMLFactory()).readTree(Path.of("deploy/aws/template.yaml").toFile())
                .at("/Globals/Function/Architectures/0").asText();
        assertTrue(Files.readString(Path.of("Makefile"))
                .contains("deploy/aws/check-bootstrap.sh target/lambda-native/function.zip " + arch), arch);
    }

    @Test
    void acceptsAnExecutableAl2023CanRunAndRefusesOneLinkedAgainstANewerGlibc() throws Exception {
        assumeTrue(tool("objdump") && tool("readelf") && tool("unzip"), "binutils or unzip missing");
        Optional<Path> old = executable(v -> v <= 234);
        Optional<Path> recent = executable(v -> v > 234);
        assumeTrue(old.isPresent() && recent.isPresent(), "no suitable executables on this machine");

        assertEquals(0, check(zip(old.get(), true), "x86_64").exit, "glibc <= 2.34 runs on AL2023");
        Result tooNew = check(zip(recent.get(), true), "x86_64");
        assertEquals(1, tooNew.exit);
        assertTrue(tooNew.out.contains("NATIVE_CONTAINER=1"), tooNew.out);
        assertEquals(1, check(zip(old.get(), true), "arm64").exit, "an x86-64 bootstrap for an arm64 function");
        assertEquals(1, check(zip(old.get(), false), "x86_64").exit, "bootstrap must be executable");
    }

    private record Result(int exit, String out) {
    }

    private Result check(Path zip, String arch) throws Exception {
        Process p = new ProcessBuilder("bash", SCRIPT.toString(), zip.toString(), arch).redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes());
        return new Result(p.waitFor(), out);
    }

    /** A function.zip with {@code exe} as its bootstrap, written with the JDK so no zip tool is needed. */
    private Path zip(Path exe, boolean executable) throws IOException {
        Path zip = Files.createTempFile(dir, "function", ".zip");
        try (var out = new ZipArchiveOutputStream(zip.toFile())) {
            var entry = new ZipArchiveEntry("bootstrap");
            entry.setUnixMode(executable ? 0100755 : 0100644);
            out.putArchiveEntry(entry);
            Files.copy(exe, out);
            out.closeArchiveEntry();
        }
        return zip;
    }

    private static Optional<Path> executable(java.util.function.IntPredicate glibc) throws Exception {
        try (Stream<Path> files = Files.list(Path.of("/usr/bin"))) {
            for (Path p : files.filter(Files::isRegularFile).sorted().limit(400).toList()) {
                int need = glibcNeeded(p);
                if (need > 0 && glibc.test(need) && Files.size(p) < 8_000_000) {
                    return Optional.of(p);
                }
            }
        }
        return Optional.empty();
    }

    private static int glibcNeeded(Path exe) throws Exception {
        if (!isElf(exe)) {
            return -1;
        }
        Process p = new ProcessBuilder("objdump", "-T", exe.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            return -1;
        }
        int max = -1;
        Matcher m = GLIBC.matcher(out);
        while (m.find()) {
            max = Math.max(max, Integer.parseInt(m.group(1)) * 100 + Integer.parseInt(m.group(2)));
        }
        return max;
    }

    private static boolean isElf(Path p) throws IOException {
        try (var in = Files.newInputStream(p)) {
            byte[] magic = in.readNBytes(4);
            return magic.length == 4 && magic[0] == 0x7f && magic[1] == 'E' && magic[2] == 'L' && magic[3] == 'F';
        }
    }

    private static boolean tool(String name) {
        return Stream.of(System.getenv().getOrDefault("PATH", "/usr/bin").split(":"))
                .anyMatch(d -> Files.isExecutable(Path.of(d, name)));
    }
}
