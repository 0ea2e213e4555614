package dev.certguard.crl.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.certguard.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * crl-extension's configuration reader against any file contents (a hand edit gone wrong, a file
 * truncated by a full disk, a DOCTYPE with entities): a configuration, or an
 * {@link InvalidConfigException} listing problems, never another exception, so a bad reload keeps
 * the last good configuration and a bad start refuses every client instead of crashing. Seeds: the
 * shipped config.xml and files using every element.
 */
class CrlConfigFuzzTest {

    private static final Path HOME = home();

    private static Path home() {
        try {
            final Path home = Files.createTempDirectory("crl-config-fuzz");
            Files.createDirectories(home.resolve("conf"));
            home.toFile().deleteOnExit();
            return home;
        } catch (final java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void any_file_is_a_configuration_or_a_list_of_problems(final byte[] contents) throws Exception {
        final Path file = HOME.resolve("conf").resolve("config.xml");
        Files.write(file, contents);
        try {
            final CrlConfig config =
                    CrlConfigParser.parse(file, HOME, Map.of("CRL_URL", "https://crl.example.com/a.crl"));
            assertThat(config.refreshInterval()).isPositive();
            if (config.clientDistributionPoints().enabled()) {
                assertThat(config.clientDistributionPoints().prefixes())
                        .as("discovery never runs without an allowed prefix")
                        .isNotEmpty();
            }
        } catch (final InvalidConfigException refused) {
            assertThat(refused.problems()).isNotEmpty().allSatisfy(problem -> assertThat(problem)
                    .isNotBlank());
        }
    }
}
