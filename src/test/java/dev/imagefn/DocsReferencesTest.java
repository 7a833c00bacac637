package dev.imagefn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The repo's docs stand alone: README, docs/ and the sources cite only files and sections that exist in the repo,
 * and never notes a user of the repo does not have.
 */
class DocsReferencesTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    /** Spelled in pieces so that this file does not contain them. */
    private static final List<String> FORBIDDEN = List.of("DESIGN" + " §", "DESIGN" + ".md", "gemini" + "-api" + ".md",
            "/work/" + "shared");
    private static final Pattern MD_LINK = Pattern.compile("\\[[^\\]]*]\\(([^)\\s]+)\\)");
    private static final Pattern MD_MENTION = Pattern.compile("[\\w./-]*[\\w-]+\\.md\\b");
    private static final Pattern REPO_PATH = Pattern.compile("`((?:src|deploy|docs|\\.ci)/[^`\\s]*)`");
    /** {@code (README, Errors)}, {@code (docs/design.md, "Idempotency")}, {@code README.md (Configuration)}. */
    private static final Pattern SECTION_CITE = Pattern.compile(
            "\\b(README(?:\\.md)?|docs/[\\w-]+\\.md)(?:, | \\()\"?([A-Z][^\")\\n;]*?)\"?[);]");

    @Test
    void nothingCitesNotesOutsideTheRepo() throws IOException {
        List<String> found = new ArrayList<>();
        for (Path file : scanned(true)) {
            String text = Files.readString(file);
            for (String bad : FORBIDDEN) {
                if (text.contains(bad)) {
                    found.add(ROOT.relativize(file) + " mentions " + bad);
                }
            }
        }
        assertEquals(List.of(), found);
    }

    @Test
    void markdownLinksResolveToFilesAndHeadings() throws IOException {
        List<String> broken = new ArrayList<>();
        for (Path md : markdown()) {
            for (String target : matches(MD_LINK, withoutCode(Files.readString(md)), 1)) {
                if (target.matches("^[a-z]+:.*")) {
                    continue;
                }
                int hash = target.indexOf('#');
                String path = hash < 0 ? target : target.substring(0, hash);
                Path resolved = path.isEmpty() ? md : md.getParent().resolve(path).normalize();
                if (!resolved.startsWith(ROOT) || !Files.exists(resolved)) {
                    broken.add(ROOT.relativize(md) + ": " + target + " (no such file)");
                } else if (hash >= 0 && resolved.toString().endsWith(".md")
                        && !anchors(resolved).contains(target.substring(hash + 1))) {
                    broken.add(ROOT.relativize(md) + ": " + target + " (no such heading)");
                }
            }
        }
        assertEquals(List.of(), broken);
    }

    @Test
    void mentionedFilesExist() throws IOException {
        Set<String> names = new HashSet<>();
        try (Stream<Path> all = repoFiles()) {
            all.forEach(p -> names.add(p.getFileName().toString()));
        }
        List<String> missing = new ArrayList<>();
        for (Path file : scanned(false)) {
            String text = Files.readString(file);
            for (String mention : matches(MD_MENTION, text, 0)) {
                boolean exists = Files.exists(ROOT.resolve(mention)) || Files.exists(file.getParent().resolve(mention))
                        || (!mention.contains("/") && names.contains(mention));
                if (!exists) {
                    missing.add(ROOT.relativize(file) + " mentions " + mention);
                }
            }
            if (file.toString().endsWith(".md")) {
                for (String path : matches(REPO_PATH, text, 1)) {
                    if (!path.matches(".*[*{<…].*") && !Files.exists(ROOT.resolve(path))) {
                        missing.add(ROOT.relativize(file) + " names " + path);
                    }
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void citedSectionsExist() throws IOException {
        List<String> missing = new ArrayList<>();
        for (Path file : scanned(false)) {
            if (file.toString().endsWith(".md")) {
                continue;
            }
            String text = Files.readString(file).replaceAll("\\n\\s*(?:\\*|//|#)\\s?", " ");
            Matcher m = SECTION_CITE.matcher(text);
            while (m.find()) {
                Path doc = ROOT.resolve(m.group(1).startsWith("README") ? "README.md" : m.group(1));
                String section = m.group(2).strip().toLowerCase(Locale.ROOT);
                boolean found = Files.exists(doc) && headings(doc).stream().anyMatch(h -> h.startsWith(section));
                if (!found) {
                    missing.add(ROOT.relativize(file) + " cites " + m.group(1) + ", \"" + m.group(2) + "\"");
                }
            }
        }
        assertEquals(List.of(), missing);
    }

    @Test
    void slugsFollowGitHub() {
        assertEquals("model-catalogue-shipped-defaults-all-in-applicationproperties",
                slug("Model catalogue (shipped defaults, all in `application.properties`)"));
        assertEquals("the-event-and-the-result", slug("The event and the result"));
    }

    /** README, docs/*.md, deploy/README.md, the sources and the Makefile ({@code all}: also deploy/ and pom.xml). */
    private static List<Path> scanned(boolean all) throws IOException {
        List<Path> files = new ArrayList<>(markdown());
        for (String dir : List.of("src/main", "src/test/java")) {
            try (Stream<Path> s = Files.walk(ROOT.resolve(dir))) {
                s.filter(Files::isRegularFile).forEach(files::add);
            }
        }
        files.add(ROOT.resolve("Makefile"));
        if (all) {
            files.add(ROOT.resolve("pom.xml"));
            try (Stream<Path> s = Files.walk(ROOT.resolve("deploy"))) {
                s.filter(Files::isRegularFile).filter(p -> !files.contains(p)).forEach(files::add);
            }
        }
        return files;
    }

    private static List<Path> markdown() throws IOException {
        List<Path> files = new ArrayList<>(List.of(ROOT.resolve("README.md"), ROOT.resolve("deploy/README.md")));
        if (Files.isDirectory(ROOT.resolve("docs"))) {
            try (Stream<Path> s = Files.list(ROOT.resolve("docs"))) {
                s.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
            }
        }
        return files;
    }

    private static Stream<Path> repoFiles() throws IOException {
        return Files.walk(ROOT).filter(Files::isRegularFile).filter(p -> {
            String r = ROOT.relativize(p).toString();
            return !r.startsWith("target") && !r.startsWith(".git");
        });
    }

    private static List<String> matches(Pattern pattern, String text, int group) {
        List<String> out = new ArrayList<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            out.add(m.group(group));
        }
        return out;
    }

    /** The markdown without fenced code blocks (whose {@code #} lines are no headings and links no links). */
    private static String withoutCode(String md) {
        return md.replaceAll("(?ms)^```.*?^```", "");
    }

    private static List<String> headings(Path md) throws IOException {
        List<String> out = new ArrayList<>();
        for (String line : withoutCode(Files.readString(md)).split("\n")) {
            if (line.matches("#{1,6} .*")) {
                out.add(line.replaceFirst("#+ ", "").replace("`", "").strip().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    private static Set<String> anchors(Path md) throws IOException {
        Set<String> out = new HashSet<>();
        for (String h : headings(md)) {
            String s = slug(h);
            String unique = s;
            for (int n = 1; !out.add(unique); n++) {
                unique = s + "-" + n;
            }
        }
        return out;
    }

    static String slug(String heading) {
        return heading.strip().toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }
}
