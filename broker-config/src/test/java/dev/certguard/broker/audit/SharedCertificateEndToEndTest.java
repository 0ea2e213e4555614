package dev.certguard.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.certguard.broker.MetricsEndpoint;
import dev.certguard.broker.testing.AuditEndpoint;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cloned certificate in the packaged broker, over real TLS: two clients holding one certificate and
 * key, one from 127.0.0.2 and one from 127.0.0.3, take one session over from each other; at the third
 * takeover within the window the certificate is a {@code certificate-shared} finding naming both
 * addresses and, with {@code on-shared-certificate refuse}, quarantined: the CONNECT is refused
 * {@code 0x87} "certificate shared by several devices" and the clone still connected is cut with the
 * same reason. A device reconnecting 1,000 times from one address is never a finding.
 */
class SharedCertificateEndToEndTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestBroker broker;
    static MetricsEndpoint endpoint;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension>
                            <fleet-audit>
                                <takeovers>3</takeovers>
                                <window-seconds>600</window-seconds>
                                <on-shared-certificate>refuse</on-shared-certificate>
                                <quarantine-seconds>3600</quarantine-seconds>
                            </fleet-audit>
                        </acl-extension>""")
                .start();
        endpoint = MetricsEndpoint.start(broker.embedded().metrics(), "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    /** A client of {@code credentials} connecting from {@code localAddress}; its end completes {@code ended}. */
    private static Mqtt5BlockingClient client(
            final Credentials credentials,
            final String localAddress,
            final CompletableFuture<Mqtt5DisconnectException> ended) {
        return Mqtt5Client.builder()
                .identifier("c")
                .transportConfig()
                .serverHost("127.0.0.1")
                .serverPort(broker.tlsPort())
                .localAddress(new InetSocketAddress(localAddress, 0))
                .sslConfig(credentials.sslConfig())
                .applyTransportConfig()
                .addDisconnectedListener(context -> {
                    if (context.getCause() instanceof Mqtt5DisconnectException) {
                        ended.complete((Mqtt5DisconnectException) context.getCause());
                    }
                })
                .buildBlocking();
    }

    private static List<JsonNode> findings(final String check) throws Exception {
        return new AuditEndpoint(endpoint).findings(check);
    }

    @Test
    void two_devices_fighting_over_one_certificate_are_found_quarantined_and_cut() throws Exception {
        final Credentials cloned = pki.client("shared:clone");
        final CompletableFuture<Mqtt5DisconnectException> firstEnded = new CompletableFuture<>();
        final CompletableFuture<Mqtt5DisconnectException> secondEnded = new CompletableFuture<>();
        final CompletableFuture<Mqtt5DisconnectException> thirdEnded = new CompletableFuture<>();
        final Mqtt5BlockingClient first = client(cloned, "127.0.0.2", firstEnded);
        final Mqtt5BlockingClient second = client(cloned, "127.0.0.3", secondEnded);
        final Mqtt5BlockingClient firstAgain = client(cloned, "127.0.0.2", thirdEnded);
        final Mqtt5BlockingClient secondAgain = client(cloned, "127.0.0.3", new CompletableFuture<>());

        assertThat(first.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(second.connect().getReasonCode()).as("takeover 1").isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(firstEnded.get(10, TimeUnit.SECONDS).getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        assertThat(firstAgain.connect().getReasonCode()).as("takeover 2").isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        secondEnded.get(10, TimeUnit.SECONDS);
        assertThat(findings("certificate-shared"))
                .as("two takeovers are not yet a finding")
                .isEmpty();

        final Mqtt5ConnAckException refused = catchThrowableOfType(Mqtt5ConnAckException.class, secondAgain::connect);

        assertThat(refused).as("takeover 3: quarantined").isNotNull();
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString().map(Object::toString))
                .hasValue("certificate shared by several devices");
        final Mqtt5DisconnectException cut = thirdEnded.get(10, TimeUnit.SECONDS);
        assertThat(cut.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(cut.getMqttMessage().getReasonString().map(Object::toString))
                .hasValue("certificate shared by several devices");
        final List<JsonNode> shared = findings("certificate-shared");
        assertThat(shared).hasSize(1);
        assertThat(shared.get(0).get("certificate_sha256").asText()).isEqualTo(cloned.sha256());
        assertThat(shared.get(0).get("identity").asText()).isEqualTo("shared:clone");
        assertThat(shared.get(0).get("details").asText())
                .startsWith("taken over 3 times within 600 s from addresses [")
                .contains("127.0.0.2", "127.0.0.3");
        assertThat(catchThrowableOfType(
                        Mqtt5ConnAckException.class, () -> client(cloned, "127.0.0.4", new CompletableFuture<>())
                                .connect()))
                .as("quarantined from any address")
                .isNotNull();
        assertThat(broker.counter("dev.certguard.acl-extension.connect.rejected.certificate-shared"))
                .isEqualTo(2);
    }

    @Test
    void a_device_reconnecting_a_thousand_times_from_one_address_is_never_a_finding() throws Exception {
        final Credentials honest = pki.client("shared:honest");
        final Mqtt5BlockingClient client = client(honest, "127.0.0.5", new CompletableFuture<>());

        for (int i = 0; i < 1000; i++) {
            assertThat(client.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
            client.disconnect();
        }

        assertThat(findings("certificate-shared"))
                .noneMatch(f -> f.get("identity").asText().equals("shared:honest"));
    }
}
