package dev.certguard.broker.disconnect;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A connection never outlives its certificate, whatever the lifetime; here the will is configured
 * to be sent.
 */
class CertificateExpiryEndToEndTest {

    private static final String PREFIX = "dev.certguard.disconnect-extension.";

    @TempDir
    static Path dir;

    @AutoClose
    static TestBroker broker;

    static TestPki pki;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension><services>
                            <service><identity>audit-bridge</identity><subscribe>#</subscribe></service>
                        </services></acl-extension>""")
                .extensionConfig(
                        "disconnect-extension",
                        """
                        <disconnect-extension>
                            <max-connection-lifetime-seconds>1800</max-connection-lifetime-seconds>
                            <send-will-message>true</send-will-message>
                        </disconnect-extension>""")
                .start();
    }

    @Test
    void connection_ends_when_its_certificate_expires_and_the_will_is_sent_when_configured() throws Exception {
        final Mqtt5BlockingClient audit = broker.mqtt5(pki.client("audit-bridge"), "audit");
        audit.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = audit.publishes(MqttGlobalPublishFilter.ALL)) {
            audit.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
            final Credentials shortLived = pki.client("admin:shortlived", Duration.ofSeconds(5));
            final Instant notAfter = shortLived.certificate().getNotAfter().toInstant();
            final long before = broker.counter(PREFIX + "disconnected.certificate-expiry");

            final var device = Disconnects.mqtt5WithWill(broker, shortLived, "shortlived", "admin:shortlived/attrs");
            final Disconnects.Ended ended = device.awaitEnd(Duration.ofSeconds(15));
            final Instant endedAt = Instant.now();

            assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME);
            assertThat(ended.reasonString()).startsWith("client certificate expires at " + notAfter);
            assertThat(endedAt).isBetween(notAfter.minusMillis(300), notAfter.plusMillis(1500));
            assertThat(broker.counter(PREFIX + "disconnected.certificate-expiry"))
                    .isEqualTo(before + 1);
            final Optional<Mqtt5Publish> will = received.receive(5, TimeUnit.SECONDS);
            assertThat(will).as("will message").get().satisfies(p -> {
                assertThat(p.getTopic().toString()).isEqualTo("admin:shortlived/attrs");
                assertThat(new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                        .isEqualTo("gone");
            });
        } finally {
            audit.disconnect();
        }
    }
}
