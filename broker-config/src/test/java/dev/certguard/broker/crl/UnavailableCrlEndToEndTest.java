package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No usable CRL: refused by default, admitted with a WARN when the operator chose
 * {@code when-unavailable=allow}; and a CRL past nextUpdate plus grace counts as unusable.
 */
class UnavailableCrlEndToEndTest {

    private static final String PREFIX = "dev.certguard.crl-extension.";

    @TempDir
    Path dir;

    private static String config(final TestPki pki, final Path source, final String whenUnavailable) {
        return """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>%s</crl-source></crl-sources>
                    <refresh-interval-seconds>1</refresh-interval-seconds>
                    <when-unavailable>%s</when-unavailable>
                </crl-extension>"""
                .formatted(pki.devPki().caCertificate(), source, whenUnavailable);
    }

    @Test
    void missing_crl_admits_clients_only_when_the_operator_allows_it() throws Exception {
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        try (TestBroker broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig("crl-extension", config(pki, dir.resolve("missing.crl"), "allow"))
                .start()) {
            broker.mqtt5(pki.client("admin:allowed"), "allowed").connect();

            assertThat(broker.counter(PREFIX + "connect.allowed.unavailable")).isEqualTo(1);
        }
    }

    @Test
    void expired_crl_is_unavailable_and_refused_by_default() throws Exception {
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Path expired = dir.resolve("expired.crl");
        final var ca = pki.authority();
        dev.certguard.pki.PemFiles.writeCrl(
                expired,
                dir.resolve("expired.der"),
                ca.crl(
                        java.util.List.of(),
                        java.math.BigInteger.TEN,
                        java.time.Instant.now().minus(Duration.ofDays(2)),
                        java.time.Instant.now().minus(Duration.ofDays(1))));
        assertThat(Files.exists(expired)).isTrue();
        try (TestBroker broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig("crl-extension", config(pki, expired, "reject"))
                .start()) {

            final Mqtt5ConnAckException e = catchThrowableOfType(
                    Mqtt5ConnAckException.class,
                    () -> broker.mqtt5(pki.client("admin:late"), "late").connect());

            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
            assertThat(broker.counter(PREFIX + "connect.rejected.unavailable")).isEqualTo(1);
        }
    }
}
