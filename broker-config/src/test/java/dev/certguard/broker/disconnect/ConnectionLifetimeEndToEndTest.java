package dev.certguard.broker.disconnect;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * disconnect-extension as packaged, in a real HiveMQ over mutual TLS, with a 3 s lifetime and no
 * jitter, so every deadline is exact.
 */
class ConnectionLifetimeEndToEndTest {

    private static final String PREFIX = "dev.certguard.disconnect-extension.";
    private static final Duration LIFETIME = Duration.ofSeconds(3);

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
                            <max-connection-lifetime-seconds>3</max-connection-lifetime-seconds>
                            <jitter-percent>0</jitter-percent>
                            <exempt-identities><identity>admin:exempt</identity><identity>audit-bridge</identity></exempt-identities>
                        </disconnect-extension>""")
                .start();
    }

    @Test
    void mqtt5_client_gets_disconnect_maximum_connect_time_with_the_reason_when_its_lifetime_ends() throws Exception {
        final long before = broker.counter(PREFIX + "disconnected.lifetime");
        final var watched = Disconnects.mqtt5(broker, pki.client("admin:life5"), "life5");

        final Disconnects.Ended ended = watched.awaitEnd(Duration.ofSeconds(10));

        assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME);
        assertThat(ended.reasonString()).contains("maximum connection lifetime of 3 s");
        assertThat(ended.after()).isBetween(LIFETIME.minusMillis(300), LIFETIME.plusMillis(1500));
        assertThat(broker.counter(PREFIX + "disconnected.lifetime")).isEqualTo(before + 1);
    }

    @Test
    void mqtt3_client_is_closed_when_its_lifetime_ends() throws Exception {
        final var watched = Disconnects.mqtt3(broker, pki.client("admin:life3"), "life3");

        final Disconnects.Ended ended = watched.awaitEnd(Duration.ofSeconds(10));

        assertThat(ended.after()).isBetween(LIFETIME.minusMillis(300), LIFETIME.plusMillis(1500));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (watched.client().getState().isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(watched.client().getState().isConnected()).isFalse();
    }

    @Test
    void exempt_identity_outlives_the_lifetime() throws Exception {
        final var exempt = Disconnects.mqtt5(broker, pki.client("admin:exempt"), "exempt");
        final var ordinary = Disconnects.mqtt5(broker, pki.client("admin:ordinary"), "ordinary");

        ordinary.awaitEnd(Duration.ofSeconds(10));
        Thread.sleep(1000);

        assertThat(exempt.endedYet())
                .as("exempt identity still connected past the lifetime")
                .isFalse();
        exempt.client().disconnect();
    }

    @Test
    void will_is_not_published_for_a_lifetime_disconnect_by_default() throws Exception {
        final Mqtt5BlockingClient audit = broker.mqtt5(pki.client("audit-bridge"), "audit");
        audit.connect();
        try (Mqtt5BlockingClient.Mqtt5Publishes received = audit.publishes(MqttGlobalPublishFilter.ALL)) {
            audit.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
            final var device =
                    Disconnects.mqtt5WithWill(broker, pki.client("admin:willer"), "willer", "admin:willer/attrs");

            assertThat(device.awaitEnd(Duration.ofSeconds(10)).reasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME);
            assertThat(received.receive(1, TimeUnit.SECONDS)).as("will message").isEmpty();
        } finally {
            audit.disconnect();
        }
    }

    @Test
    void timer_of_a_taken_over_connection_does_not_cut_the_reconnected_one() throws Exception {
        final Credentials device = pki.client("admin:racer");
        final var first = Disconnects.mqtt5(broker, device, "same-id");
        Thread.sleep(1500);

        final var second = Disconnects.mqtt5(broker, device, "same-id");

        assertThat(first.awaitEnd(Duration.ofSeconds(5)).reasonCode())
                .as("first one taken over")
                .isEqualTo(Mqtt5DisconnectReasonCode.SESSION_TAKEN_OVER);
        Thread.sleep(Duration.ofNanos(first.connectedAtNanos() + LIFETIME.toNanos() - System.nanoTime())
                .plusMillis(800)
                .toMillis());
        assertThat(second.endedYet())
                .as("second connection alive after the first one's deadline")
                .isFalse();
        final Disconnects.Ended ended = second.awaitEnd(Duration.ofSeconds(10));
        assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.MAXIMUM_CONNECT_TIME);
        assertThat(ended.after())
                .as("second connection ends at its own deadline")
                .isBetween(LIFETIME.minusMillis(300), LIFETIME.plusMillis(1500));
    }

    @Test
    void mosquitto_sub_sees_its_connection_end_and_reconnects() throws Exception {
        Mosquitto.require();
        final Credentials device = pki.client("admin:mosqlife");
        try (Mosquitto.Subscriber sub = Mosquitto.Subscriber.start(
                broker.tlsPort(),
                concat(List.of("-V", "mqttv5", "-t", "admin:mosqlife/config"), Mosquitto.tls(device)))) {
            assertThat(sub.await("received CONNACK", Duration.ofSeconds(10)))
                    .as(sub.output())
                    .isNotNull();

            final String ended = sub.await("DISCONNECT", Duration.ofSeconds(10));

            assertThat(ended).as(sub.output()).isNotNull();
        }
    }

    @Test
    void nothing_is_tracked_once_every_client_has_gone() throws Exception {
        final List<Disconnects.Watched<Mqtt3BlockingClient>> clients = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            clients.add(Disconnects.mqtt3(broker, pki.client("admin:many" + i), "many" + i));
        }
        assertThat((Integer) broker.gauge(PREFIX + "connections.tracked")).isGreaterThanOrEqualTo(20);
        clients.forEach(c -> c.client().disconnect());

        Disconnects.awaitGaugeZero(broker, PREFIX + "connections.tracked");
        Disconnects.awaitGaugeZero(broker, PREFIX + "client-ids.tracked");

        assertThat(broker.gauge(PREFIX + "connections.tracked")).isEqualTo(0);
        assertThat(broker.gauge(PREFIX + "client-ids.tracked"))
                .as("client ids seen by the interceptor and the lifecycle agree")
                .isEqualTo(0);
    }

    private static List<String> concat(final List<String> a, final List<String> b) {
        final List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
