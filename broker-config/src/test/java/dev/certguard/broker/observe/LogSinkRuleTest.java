package dev.certguard.broker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every log line certguard writes goes through {@code SafeLog}, which neutralises and bounds each
 * argument, so a place that forgets to escape a field still cannot forge a line. Only SafeLog itself
 * and the audit trail (which writes JSON escaped by its own generator) may hold an slf4j logger.
 */
class LogSinkRuleTest {

    private static final List<String> ALLOWED = List.of(
            "extension-support/src/main/java/dev/certguard/text/SafeLog.java",
            "connection-model/src/main/java/dev/certguard/audit/Audit.java");

    @Test
    void no_product_class_but_safe_log_and_the_audit_trail_obtains_an_slf4j_logger() throws IOException {
        final Path root = Path.of("..").toAbsolutePath().normalize();
        final List<String> offenders;
        try (Stream<Path> files = Files.walk(root)) {
            offenders = files.filter(file -> file.toString().endsWith(".java"))
                    .filter(file -> root.relativize(file)
                            .toString()
                            .matches("[^/]+-(extension|support|model|config)/src/main/.*"))
                    .filter(file -> !ALLOWED.contains(root.relativize(file).toString()))
                    .filter(LogSinkRuleTest::obtainsLogger)
                    .map(file -> root.relativize(file).toString())
                    .collect(Collectors.toList());
        }
        assertThat(offenders).isEmpty();
        assertThat(ALLOWED).allSatisfy(allowed -> assertThat(obtainsLogger(root.resolve(allowed)))
                .isTrue());
    }

    private static boolean obtainsLogger(final Path file) {
        try {
            return Files.readString(file).contains("LoggerFactory.getLogger(");
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
