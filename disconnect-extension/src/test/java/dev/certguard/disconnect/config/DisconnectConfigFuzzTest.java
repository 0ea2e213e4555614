package dev.certguard.disconnect.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.certguard.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * disconnect-extension's configuration reader against any file contents: a configuration with a
 * lifetime from 0 (off) to ten years and a jitter from 0 to 90 percent, or an
 * {@link InvalidConfigException} listing problems, never another exception (a lifetime that
 * overflows, a negative jitter or a DOCTYPE never reaches the timers). Seeds: the shipped
 * config.xml, every element, and values at and past each bound.
 */
class DisconnectConfigFuzzTest {

    private static final Path FILE = file();

    private static Path file() {
        try {
            final Path home = Files.createTempDirectory("disconnect-config-fuzz");
            home.toFile().deleteOnExit();
            return home.resolve("config.xml");
        } catch (final java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void any_file_is_a_bounded_configuration_or_a_list_of_problems(final byte[] contents) throws Exception {
        Files.write(FILE, contents);
        try {
            final DisconnectConfig config = DisconnectConfigParser.parse(FILE, Map.of("LIFETIME", "1800"));
            assertThat(config.maxConnectionLifetime()).isBetween(Duration.ZERO, Duration.ofDays(10 * 366));
            assertThat(config.jitterPercent()).isBetween(0, 90);
            config.exemptIdentities().forEach(identity -> assertThat(identity).isNotBlank());
        } catch (final InvalidConfigException refused) {
            assertThat(refused.problems()).isNotEmpty().allSatisfy(problem -> assertThat(problem)
                    .isNotBlank());
        }
    }
}
