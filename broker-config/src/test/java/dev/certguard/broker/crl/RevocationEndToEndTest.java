package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.PemFiles;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * crl-extension as packaged, with the CRL files of a root CA and an intermediate refreshed every
 * second: {@code pki revoke} refuses new CONNECTs and cuts connected clients within a refresh.
 */
class RevocationEndToEndTest {

    private static final String PREFIX = "dev.certguard.crl-extension.";

    @TempDir
    static Path dir;

    static TestPki pki;
    static CertificateAuthority intermediate;
    static Path intermediateFile;

    @AutoClose
    static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        intermediate = pki.authority()
                .issueIntermediate("certguard test intermediate", Instant.now().plus(Duration.ofDays(1)));
        intermediateFile = dir.resolve("intermediate.crt");
        PemFiles.writeCertificates(intermediateFile, true, intermediate.certificate());
        final Path bundle = dir.resolve("ca-bundle.pem");
        PemFiles.writeCertificates(bundle, true, pki.authority().certificate(), intermediate.certificate());
        final Path intermediateCrl = dir.resolve("intermediate-crl.pem");
        TestPki.writeEmptyCrl(intermediate, intermediateCrl, dir.resolve("intermediate-crl.der"));
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        """
                        <crl-extension>
                            <ca-certificates>%s</ca-certificates>
                            <crl-sources>
                                <crl-source>%s</crl-source>
                                <crl-source>%s</crl-source>
                            </crl-sources>
                            <refresh-interval-seconds>1</refresh-interval-seconds>
                        </crl-extension>"""
                                .formatted(bundle, pki.devPki().crlPem(), dir.resolve("intermediate-crl.der")))
                .start();
    }

    @Test
    void revoked_device_is_cut_while_connected_and_refused_at_connect() throws Exception {
        Mosquitto.require();
        final Credentials victim = pki.client("admin:victim");
        final var mqtt5 = Disconnects.mqtt5(broker, victim, "victim5");
        final var mqtt3 = Disconnects.mqtt3(broker, victim, "victim3");
        final var bystander = Disconnects.mqtt5(broker, pki.client("admin:bystander"), "bystander");
        final long cutBefore = broker.counter(PREFIX + "live-disconnects");
        try (Mosquitto.Subscriber sub = Mosquitto.Subscriber.start(
                broker.tlsPort(),
                concat(List.of("-V", "mqttv5", "-t", "admin:victim/config"), Mosquitto.tls(victim)))) {
            assertThat(sub.await("received SUBACK", Duration.ofSeconds(10)))
                    .as(sub.output())
                    .isNotNull();

            final Instant revokedAt = Instant.now();
            pki.devPki().revoke(victim.certificateFile(), 1);

            final Disconnects.Ended ended = mqtt5.awaitEnd(Duration.ofSeconds(10));
            assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(ended.reasonString()).isEqualTo("certificate revoked");
            assertThat(Duration.between(revokedAt, Instant.now()))
                    .as("cut within a refresh")
                    .isLessThan(Duration.ofSeconds(4));
            mqtt3.awaitEnd(Duration.ofSeconds(5));
            assertThat(sub.await("DISCONNECT", Duration.ofSeconds(5)))
                    .as(sub.output())
                    .isNotNull();
        }

        final Mqtt5ConnAckException refused5 =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(victim, "again5")
                        .connect());
        final Mqtt3ConnAckException refused3 =
                catchThrowableOfType(Mqtt3ConnAckException.class, () -> broker.mqtt3(victim, "again3")
                        .connect());
        assertThat(refused5.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused5.getMqttMessage().getReasonString()).get().asString().isEqualTo("certificate revoked");
        assertThat(refused3.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
        assertThat(bystander.endedYet())
                .as("a device with a good certificate stays connected")
                .isFalse();
        assertThat(broker.counter(PREFIX + "live-disconnects") - cutBefore).isGreaterThanOrEqualTo(3);
        assertThat(broker.counter(PREFIX + "connect.rejected.revoked")).isGreaterThanOrEqualTo(2);
        bystander.client().disconnect();
    }

    @Test
    void revoking_an_intermediate_cuts_and_refuses_every_device_below_it() throws Exception {
        final Credentials below = pki.clientUnder(intermediate, "admin:below");
        final var connected = Disconnects.mqtt5(broker, below, "below");

        pki.devPki().revoke(intermediateFile, 1);

        final Disconnects.Ended ended = connected.awaitEnd(Duration.ofSeconds(10));
        assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        final Mqtt5ConnAckException refused = catchThrowableOfType(
                Mqtt5ConnAckException.class, () -> broker.mqtt5(pki.clientUnder(intermediate, "admin:below2"), "below2")
                        .connect());
        assertThat(refused.getMqttMessage().getReasonString()).get().asString().isEqualTo("certificate revoked");
    }

    @Test
    void crl_metrics_report_each_source() {
        assertThat(broker.gauge(PREFIX + "source." + key(pki.devPki().crlPem()) + ".last-success-epoch-seconds"))
                .isInstanceOf(Long.class)
                .satisfies(v -> assertThat((Long) v).isGreaterThan(Instant.now().getEpochSecond() - 60));
        assertThat(broker.gauge(PREFIX + "source." + key(dir.resolve("intermediate-crl.der")) + ".entries"))
                .isEqualTo(0L);
    }

    private static String key(final Path path) {
        return path.toString().replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    private static List<String> concat(final List<String> a, final List<String> b) {
        final List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
