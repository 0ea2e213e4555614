package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.DevPki;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.hivemq.HiveMQContainer;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The extension folders in the official HiveMQ CE image, with its allow-all extension removed, as an
 * operator installs them. Runs where a Docker engine exists; skipped (not failed) elsewhere.
 */
@Testcontainers(disabledWithoutDocker = true)
class HiveMqContainerIT {

    @TempDir
    Path dir;

    @Test
    void packaged_extensions_enforce_certificate_identity_in_the_hivemq_ce_image() throws Exception {
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Path config = dir.resolve("config.xml");
        Files.writeString(
                config,
                new HiveMqConfigXml()
                        .tlsListener(
                                "tls",
                                "0.0.0.0",
                                8883,
                                Path.of("/opt/hivemq/conf/broker-keystore.p12"),
                                DevPki.KEYSTORE_PASSWORD,
                                Path.of("/opt/hivemq/conf/truststore.p12"),
                                DevPki.KEYSTORE_PASSWORD)
                        .render());
        final BrokerHome template = BrokerHome.template();
        // Relative paths in crl-extension's configuration resolve against its folder.
        final Path crlConfig = dir.resolve("crl-config.xml");
        Files.writeString(
                crlConfig,
                "<crl-extension><ca-certificates>conf/ca.pem</ca-certificates>"
                        + "<crl-sources><crl-source>conf/ca.crl</crl-source></crl-sources></crl-extension>");
        try (HiveMQContainer hivemq = new HiveMQContainer(
                        DockerImageName.parse("hivemq/hivemq-ce").withTag("2025.5"))
                .withoutPrepackagedExtensions()
                .withHiveMQConfig(MountableFile.forHostPath(config))
                .withFileInHomeFolder(
                        MountableFile.forHostPath(pki.devPki().brokerKeystore()), "/conf/broker-keystore.p12")
                .withFileInHomeFolder(MountableFile.forHostPath(pki.devPki().truststore()), "/conf/truststore.p12")
                .withExtension(MountableFile.forHostPath(template.extension("crl-extension")))
                .withExtension(MountableFile.forHostPath(template.extension("acl-extension")))
                .withExtension(MountableFile.forHostPath(template.extension("disconnect-extension")))
                .withFileInExtensionHomeFolder(
                        MountableFile.forHostPath(pki.devPki().caCertificate()), "crl-extension", "/conf/ca.pem")
                .withFileInExtensionHomeFolder(
                        MountableFile.forHostPath(pki.devPki().crlPem()), "crl-extension", "/conf/ca.crl")
                .withFileInExtensionHomeFolder(
                        MountableFile.forHostPath(crlConfig), "crl-extension", "/conf/config.xml")
                .waitForExtension("certguard ACL extension")
                .withExposedPorts(8883)) {
            hivemq.start();
            final int port = hivemq.getMappedPort(8883);

            final Credentials device = pki.client("admin:a1998e");
            final Mqtt5BlockingClient client = Mqtt5Client.builder()
                    .identifier("c1")
                    .serverHost("localhost")
                    .serverPort(port)
                    .sslConfig(device.sslConfig())
                    .buildBlocking();
            client.connect();
            client.publishWith()
                    .topic("admin:a1998e/attrs")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("1".getBytes())
                    .send();
            client.disconnect();

            final Mqtt5ConnAckException refused =
                    catchThrowableOfType(Mqtt5ConnAckException.class, () -> Mqtt5Client.builder()
                            .identifier("c2")
                            .serverHost("localhost")
                            .serverPort(port)
                            .sslConfig(pki.clientWithSubject("CN=admin:#").sslConfig())
                            .buildBlocking()
                            .connect());
            assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        }
    }
}
