package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link of the repository's documentation leads somewhere: the file exists and, where
 * the link names a heading ({@code #anchor}), the heading exists, by GitHub's slug rules. Links
 * inside code blocks and to other sites are not followed.
 */
class DocsLinksTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final Pattern LINK = Pattern.compile("\\[[^\\]]*\\]\\(([^)\\s]+)\\)");

    /** The documentation pages: the top-level Markdown files and everything under docs/. */
    static List<Path> pages() throws IOException {
        final List<Path> pages = new ArrayList<>();
        try (Stream<Path> top = Files.list(ROOT)) {
            top.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
        }
        final Path docs = ROOT.resolve("docs");
        if (Files.isDirectory(docs)) {
            try (Stream<Path> all = Files.walk(docs)) {
                all.filter(p -> p.toString().endsWith(".md")).forEach(pages::add);
            }
        }
        return pages;
    }

    /** The lines of a page outside fenced code blocks. */
    static List<String> prose(final Path page) throws IOException {
        final List<String> lines = new ArrayList<>();
        boolean fenced = false;
        for (final String line : Files.readAllLines(page)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                continue;
            }
            if (!fenced) {
                lines.add(line);
            }
        }
        return lines;
    }

    /** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to '-', repeats numbered. */
    static Set<String> anchors(final Path page) throws IOException {
        final Set<String> anchors = new HashSet<>();
        final Map<String, Integer> seen = new java.util.HashMap<>();
        for (final String line : prose(page)) {
            if (!line.startsWith("#")) {
                continue;
            }
            final String text = line.replaceFirst("^#+\\s*", "").trim();
            final String slug = text.toLowerCase(Locale.ROOT)
                    .replaceAll("[^\\p{L}\\p{N} _-]", "")
                    .replace(' ', '-');
            final int count = seen.merge(slug, 1, Integer::sum);
            anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
        }
        return anchors;
    }

    @Test
    void every_relative_link_and_anchor_in_the_documentation_resolves() throws IOException {
        final List<String> broken = new ArrayList<>();
        int checked = 0;
        for (final Path page : pages()) {
            for (final String line : prose(page)) {
                final Matcher matcher = LINK.matcher(line);
                while (matcher.find()) {
                    final String target = matcher.group(1);
                    if (target.matches("^[a-z]+:.*")) {
                        continue;
                    }
                    checked++;
                    final int hash = target.indexOf('#');
                    final String file = hash < 0 ? target : target.substring(0, hash);
                    final Path linked = file.isEmpty()
                            ? page
                            : page.getParent().resolve(file).normalize();
                    if (!Files.exists(linked)) {
                        broken.add(ROOT.relativize(page) + ": " + target + " (no such file)");
                    } else if (hash >= 0 && !anchors(linked).contains(target.substring(hash + 1))) {
                        broken.add(ROOT.relativize(page) + ": " + target + " (no such heading)");
                    }
                }
            }
        }
        assertThat(checked).as("links checked").isPositive();
        assertThat(broken).as("broken links").isEmpty();
    }

    @Test
    void the_readme_is_a_front_page() throws IOException {
        assertThat(Files.readAllLines(ROOT.resolve("README.md")))
                .as("README.md stays a front page; the rest belongs in docs/")
                .hasSizeLessThanOrEqualTo(150);
    }

    /** A test named in a page: {@code `ClassTest`} or {@code `ClassTest.method_name`} (also IT classes). */
    private static final Pattern NAMED_TEST =
            Pattern.compile("`([A-Z][A-Za-z0-9]*(?:Test|IT))(?:\\.([a-z][a-z0-9_]*))?`");

    @Test
    void every_test_a_page_names_exists() throws IOException {
        final java.util.Map<String, String> sources = new java.util.HashMap<>();
        try (Stream<Path> all = Files.walk(ROOT)) {
            for (final Path file : (Iterable<Path>) all.filter(p ->
                    p.toString().contains("/src/test/java/") && p.toString().endsWith(".java"))::iterator) {
                final String name = file.getFileName().toString();
                sources.merge(
                        name.substring(0, name.length() - ".java".length()), Files.readString(file), String::concat);
            }
        }
        final List<String> missing = new ArrayList<>();
        int named = 0;
        for (final Path page : pages()) {
            final Matcher matcher = NAMED_TEST.matcher(String.join("\n", prose(page)));
            while (matcher.find()) {
                named++;
                final String source = sources.get(matcher.group(1));
                if (source == null
                        || (matcher.group(2) != null && !source.contains("void " + matcher.group(2) + "("))) {
                    missing.add(ROOT.relativize(page) + ": " + matcher.group());
                }
            }
        }
        assertThat(named).as("tests named in the documentation").isGreaterThanOrEqualTo(50);
        assertThat(missing)
                .as("tests the documentation names that do not exist")
                .isEmpty();
    }

    @Test
    void slugs_follow_githubs_rules() throws IOException {
        final Path page = Files.createTempFile("slugs", ".md");
        try {
            Files.writeString(
                    page,
                    "# certguard\n## The `--home DIR` contract\n## The seed's device flow: a CSR\n## Metrics\n### Metrics\n"
                            + "```\n# not a heading\n```\n");
            assertThat(anchors(page))
                    .containsExactlyInAnyOrder(
                            "certguard",
                            "the---home-dir-contract",
                            "the-seeds-device-flow-a-csr",
                            "metrics",
                            "metrics-1");
        } finally {
            Files.delete(page);
        }
    }
}
