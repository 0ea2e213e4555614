package dev.certguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * No extension code puts a metric into HiveMQ's registry except through {@link ExtensionMetrics},
 * so no metric escapes its definition (and the reference documentation generated from it).
 */
class MetricRegistrationScanTest {

    private static final List<String> MODULES =
            List.of("extension-support", "connection-model", "acl-extension", "disconnect-extension", "crl-extension");
    private static final Pattern DIRECT = Pattern.compile(
            "(registry|metricRegistry\\(\\))\\s*\\.\\s*(counter|gauge|register|timer|histogram|meter|removeMatching)\\s*\\(");

    @Test
    void only_extension_metrics_touches_the_registry() throws IOException {
        final List<String> offenders = new ArrayList<>();
        int scanned = 0;
        for (final String module : MODULES) {
            try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
                for (final Path file :
                        (Iterable<Path>) files.filter(p -> p.toString().endsWith(".java"))::iterator) {
                    scanned++;
                    if (file.getFileName().toString().equals("ExtensionMetrics.java")) {
                        continue;
                    }
                    if (DIRECT.matcher(Files.readString(file)).find()) {
                        offenders.add(file.toString());
                    }
                }
            }
        }
        assertThat(scanned).as("source files scanned").isGreaterThan(50);
        assertThat(offenders)
                .as("files registering metrics outside ExtensionMetrics")
                .isEmpty();
    }

    @Test
    void the_scan_recognises_a_direct_registration() {
        assertThat(DIRECT.matcher("registry.counter(PREFIX + \"x\")").find()).isTrue();
        assertThat(DIRECT.matcher("Services.metricRegistry().register(name, gauge)")
                        .find())
                .isTrue();
        assertThat(DIRECT.matcher("metrics.counter(ACCEPTED)").find()).isFalse();
    }
}
