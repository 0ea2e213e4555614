package dev.certguard.disconnect.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.certguard.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DisconnectConfigParserTest {

    @TempDir
    Path dir;

    @Test
    void shipped_defaults_are_dojots_thirty_minutes_with_ten_percent_jitter() throws Exception {
        final DisconnectConfig config =
                DisconnectConfigParser.parse(Path.of("src/hivemq-extension/conf/config.xml"), Map.of());

        assertThat(config.maxConnectionLifetime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(config.jitterPercent()).isEqualTo(10);
        assertThat(config.disconnectOnCertificateExpiry()).isTrue();
        assertThat(config.sendWillMessage()).isFalse();
        assertThat(config.exemptIdentities()).isEmpty();
    }

    @Test
    void every_problem_is_reported_with_file_and_element() throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(
                file,
                """
                <disconnect-extension>
                    <max-connection-lifetime-seconds>-5</max-connection-lifetime-seconds>
                    <jitter-percent>95</jitter-percent>
                    <send-will-message>sometimes</send-will-message>
                    <exempt-identities><identity>admin:#</identity><identity>v2k-bridge</identity></exempt-identities>
                    <lifetime>1</lifetime>
                </disconnect-extension>
                """);

        final InvalidConfigException e =
                catchThrowableOfType(InvalidConfigException.class, () -> DisconnectConfigParser.parse(file, Map.of()));

        assertThat(e.problems())
                .containsExactlyInAnyOrder(
                        "disconnect-extension/conf/config.xml: <lifetime> is not a known element (known: max-connection-lifetime-seconds, jitter-percent, disconnect-on-certificate-expiry, send-will-message, exempt-identities)",
                        "disconnect-extension/conf/config.xml: <max-connection-lifetime-seconds> must be >= 0, was -5",
                        "disconnect-extension/conf/config.xml: <jitter-percent> must be <= 90, was 95",
                        "disconnect-extension/conf/config.xml: <send-will-message> must be true or false, was 'sometimes'",
                        "disconnect-extension/conf/config.xml: <exempt-identities/identity> 'admin:#' is not a valid identity: device id contains '#' (topic wildcard) at index 0");
    }

    @Test
    void placeholders_and_zero_lifetime_are_accepted() throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(
                file,
                "<disconnect-extension><max-connection-lifetime-seconds>${LIFETIME}</max-connection-lifetime-seconds></disconnect-extension>");

        assertThat(DisconnectConfigParser.parse(file, Map.of("LIFETIME", "0")).maxConnectionLifetime())
                .isZero();
    }
}
