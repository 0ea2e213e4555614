package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.OpensslCa;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.broker.testing.Tools;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CA that publishes partitioned CRLs, as AWS Private CA and EJBCA do: each device certificate names
 * its partition in its CRL Distribution Points, and each partition CRL carries a critical Issuing
 * Distribution Point naming it. Partition 1 is made by {@code openssl ca -gencrl}, partition 2 by
 * python3-cryptography; the packaged extension refuses exactly the devices each partition revokes,
 * ignores a serial listed by the wrong partition, refuses a device whose partition is not loaded
 * with 0x88, and cuts a connected device when its partition newly lists it.
 */
class PartitionedCrlEndToEndTest {

    private static final String BASE = "http://crl.example.com/ca-1/crl/";

    @TempDir
    Path dir;

    @Test
    void each_partition_decides_exactly_its_devices_and_a_missing_partition_is_unavailable() throws Exception {
        Tools.require("command -v openssl", "openssl");
        Tools.require("/usr/bin/python3 -c 'import cryptography'", "python3-cryptography");
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Credentials good1 = pki.clientAt("acme:p1-good", URI.create(BASE + "1.crl"));
        final Credentials revoked1 = pki.clientAt("acme:p1-revoked", URI.create(BASE + "1.crl"));
        final Credentials good2 = pki.clientAt("acme:p2-good", URI.create(BASE + "2.crl"));
        final Credentials revoked2 = pki.clientAt("acme:p2-revoked", URI.create(BASE + "2.crl"));
        final Credentials unloaded = pki.clientAt("acme:p3", URI.create(BASE + "3.crl"));
        final Credentials noPoint = pki.client("acme:no-point");

        final OpensslCa openssl = OpensslCa.create(
                dir.resolve("openssl-ca"), pki.devPki().caKey(), pki.devPki().caCertificate());
        openssl.crlExtensions(
                "partition_1",
                "issuingDistributionPoint = critical, @idp_1\n[ idp_1 ]\nfullname = URI:" + BASE
                        + "1.crl\nonlyuser = TRUE");
        // Partition 1 also lists p2-good's serial: not its scope, so it must not refuse that device.
        openssl.revoked(List.of(revoked1.certificate(), good2.certificate()));
        final Path partition1 = dir.resolve("partition-1.pem");
        Files.copy(openssl.gencrl(List.of("-crlexts", "partition_1")), partition1);
        final Path partition2 = dir.resolve("partition-2.crl");
        python(pki, BASE + "2.crl", 1, partition2, revoked2);

        try (TestBroker broker = TestBroker.builder(dir)
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
                                .formatted(pki.devPki().caCertificate(), partition1, partition2))
                .start()) {

            final var connected = Disconnects.mqtt5(broker, good1, "g1");
            broker.mqtt5(good2, "g2").connect();
            assertThat(broker.refusal(revoked1)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            assertThat(broker.refusal(revoked2)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            assertThat(broker.refusal(unloaded))
                    .as("no CRL covers a device of partition 3: unavailable, not passed")
                    .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
            assertThat(broker.refusal(noPoint))
                    .as("a certificate that names no partition is covered by none of them")
                    .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);

            // Partition 1 now also revokes the connected p1-good: it is cut, and p2-good stays.
            openssl.revoked(List.of(revoked1.certificate(), good2.certificate(), good1.certificate()));
            Files.copy(
                    openssl.gencrl(List.of("-crlexts", "partition_1")),
                    partition1,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            assertThat(connected.awaitEnd(Duration.ofSeconds(15)).reasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(broker.refusal(good1)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            broker.mqtt5(good2, "g2-again").connect();
        }
    }

    private static void python(
            final TestPki pki, final String url, final int number, final Path out, final Credentials... revoked)
            throws Exception {
        dev.certguard.broker.testing.PartitionScript.make(pki, List.of(), url, number, out, revoked);
    }
}
