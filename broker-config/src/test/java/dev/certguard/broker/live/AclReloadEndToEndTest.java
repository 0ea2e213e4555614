package dev.certguard.broker.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5Disconnect;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * acl-extension as packaged, its conf/config.xml edited while bridges and devices are connected:
 * narrowed rights cut the bridge with DISCONNECT 0x98 and leave nothing forbidden in its session,
 * widened rights apply at the next CONNECT, an invalid edit changes nothing, connections the change
 * does not concern stay.
 */
class AclReloadEndToEndTest {

    private static final String PREFIX = "dev.certguard.acl-extension.";
    private static final String BASE = config("<subscribe>+/attrs</subscribe>");

    @TempDir
    static Path dir;

    static TestPki pki;

    @AutoClose
    static TestBroker broker;

    static Credentials v2k;
    static Credentials k2v;
    static Credentials device;
    static Credentials other;

    private final List<Mqtt5BlockingClient> clients = new ArrayList<>();

    /** The acl configuration with v2k-bridge's rights given by {@code v2kRights}; k2v-bridge unchanged. */
    private static String config(final String v2kRights) {
        return """
                <acl-extension>
                    <services>
                        <service><identity>v2k-bridge</identity>%s</service>
                        <service><identity>k2v-bridge</identity><publish>+/config</publish></service>
                    </services>
                </acl-extension>
                """
                .formatted(v2kRights);
    }

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        v2k = pki.client("v2k-bridge");
        k2v = pki.client("k2v-bridge");
        device = pki.client("admin:a1998e");
        other = pki.client("admin:other");
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig("acl-extension", BASE)
                .start();
    }

    @BeforeEach
    void baseConfiguration() throws Exception {
        LiveFiles.reconfigure(broker, "acl-extension", BASE, false);
    }

    @AfterEach
    void disconnectAll() {
        for (final Mqtt5BlockingClient client : clients) {
            if (client.getState().isConnected()) {
                client.disconnect();
            }
        }
    }

    /** A client whose end (and its DISCONNECT from the broker) lands in {@code ended}. */
    private Mqtt5BlockingClient client(
            final Credentials credentials, final String clientId, final CompletableFuture<Mqtt5Disconnect> ended) {
        final Mqtt5BlockingClient client = Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("localhost")
                .serverPort(broker.tlsPort())
                .sslConfig(credentials.sslConfig())
                .addDisconnectedListener(context -> {
                    if (context.getCause() instanceof Mqtt5DisconnectException e) {
                        ended.complete(e.getMqttMessage());
                    } else {
                        ended.complete(null);
                    }
                })
                .buildBlocking();
        clients.add(client);
        return client;
    }

    private Mqtt5BlockingClient connected(final Credentials credentials, final String clientId) {
        final Mqtt5BlockingClient client = client(credentials, clientId, new CompletableFuture<>());
        client.connect();
        return client;
    }

    private static Mqtt5ConnAck persistent(final Mqtt5BlockingClient client, final boolean cleanStart) {
        return client.connectWith()
                .cleanStart(cleanStart)
                .sessionExpiryInterval(3600)
                .send();
    }

    private static void publish(final Mqtt5BlockingClient client, final String topic, final String payload) {
        client.publishWith()
                .topic(topic)
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes())
                .send();
    }

    private static Optional<Mqtt5Publish> receive(final Mqtt5BlockingClient.Mqtt5Publishes publishes, final long millis)
            throws InterruptedException {
        return publishes.receive(millis, TimeUnit.MILLISECONDS);
    }

    /** The SUBACK reason codes for one filter (the client throws when all of them are errors). */
    private static List<Mqtt5SubAckReasonCode> subscribeCodes(final Mqtt5BlockingClient client, final String filter) {
        try {
            return client.subscribeWith().topicFilter(filter).send().getReasonCodes();
        } catch (final Mqtt5SubAckException e) {
            return e.getMqttMessage().getReasonCodes();
        }
    }

    @Test
    void narrowing_a_bridges_rights_cuts_it_with_0x98_and_its_resumed_session_receives_nothing_forbidden()
            throws Exception {
        final CompletableFuture<Mqtt5Disconnect> v2kEnded = new CompletableFuture<>();
        final Mqtt5BlockingClient bridge = client(v2k, "v2k-bridge", v2kEnded);
        persistent(bridge, true);
        final Mqtt5BlockingClient.Mqtt5Publishes bridgeSees = bridge.publishes(MqttGlobalPublishFilter.ALL);
        bridge.subscribeWith().topicFilter("+/attrs").qos(MqttQos.AT_LEAST_ONCE).send();
        final CompletableFuture<Mqtt5Disconnect> k2vEnded = new CompletableFuture<>();
        final Mqtt5BlockingClient publisher = client(k2v, "k2v-bridge", k2vEnded);
        publisher.connect();
        final Mqtt5BlockingClient dev = connected(device, "admin:a1998e");
        publish(dev, "admin:a1998e/attrs", "before");
        assertThat(receive(bridgeSees, 5000))
                .as("the bridge sees device data before the change")
                .isPresent();

        final Instant edited = Instant.now();
        LiveFiles.writeInPlace(
                LiveFiles.config(broker, "acl-extension"), config("<subscribe>admin:other/attrs</subscribe>"));

        final Mqtt5Disconnect cut = v2kEnded.get(5, TimeUnit.SECONDS);
        assertThat(Duration.between(edited, Instant.now())).isLessThan(Duration.ofSeconds(5));
        assertThat(cut.getReasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.ADMINISTRATIVE_ACTION);
        assertThat(cut.getReasonString().map(Object::toString))
                .get()
                .asString()
                .contains("v2k-bridge")
                .contains("narrowed");
        assertThat(k2vEnded).as("the unconcerned bridge stays connected").isNotDone();
        assertThat(broker.counter(PREFIX + "live-disconnects")).isGreaterThanOrEqualTo(1);

        final Mqtt5BlockingClient resumed = client(v2k, "v2k-bridge", new CompletableFuture<>());
        final Mqtt5BlockingClient.Mqtt5Publishes resumedSees = resumed.publishes(MqttGlobalPublishFilter.ALL);
        assertThat(persistent(resumed, false).isSessionPresent())
                .as("the session stays, only its forbidden subscriptions go")
                .isTrue();
        publish(dev, "admin:a1998e/attrs", "after");
        assertThat(receive(resumedSees, 1500))
                .as("nothing the new rights forbid")
                .isEmpty();
        assertThat(subscribeCodes(resumed, "+/attrs")).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(resumed.subscribeWith()
                        .topicFilter("admin:other/attrs")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .send()
                        .getReasonCodes())
                .as("the new right applies at the next CONNECT")
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        publish(connected(other, "admin:other"), "admin:other/attrs", "allowed");
        assertThat(receive(resumedSees, 5000))
                .get()
                .satisfies(p -> assertThat(p.getTopic().toString()).isEqualTo("admin:other/attrs"));
        assertThat(publisher.getState().isConnected()).isTrue();
    }

    @Test
    void a_session_offline_during_the_change_receives_none_of_its_queued_forbidden_messages() throws Exception {
        final Mqtt5BlockingClient bridge = client(v2k, "v2k-bridge/offline", new CompletableFuture<>());
        persistent(bridge, true);
        bridge.subscribeWith().topicFilter("+/attrs").qos(MqttQos.AT_LEAST_ONCE).send();
        bridge.disconnect();
        publish(connected(device, "admin:a1998e"), "admin:a1998e/attrs", "queued while the bridge is away");

        LiveFiles.reconfigure(broker, "acl-extension", config("<subscribe>admin:other/attrs</subscribe>"), true);

        final Mqtt5BlockingClient resumed = client(v2k, "v2k-bridge/offline", new CompletableFuture<>());
        final Mqtt5BlockingClient.Mqtt5Publishes sees = resumed.publishes(MqttGlobalPublishFilter.ALL);
        assertThat(persistent(resumed, false).isSessionPresent()).isTrue();
        assertThat(receive(sees, 2000))
                .as("the message queued under the old rights is not delivered")
                .isEmpty();
    }

    @Test
    void removing_a_service_cuts_its_connections_and_refuses_its_next_connect() throws Exception {
        final CompletableFuture<Mqtt5Disconnect> ended = new CompletableFuture<>();
        client(v2k, "v2k-bridge", ended).connect();
        final Mqtt5BlockingClient dev = connected(device, "admin:a1998e");
        final long successes = broker.counter(PREFIX + "config.reload.successes");

        LiveFiles.reconfigure(
                broker,
                "acl-extension",
                """
                <acl-extension>
                    <services>
                        <service><identity>k2v-bridge</identity><publish>+/config</publish></service>
                    </services>
                </acl-extension>
                """,
                false);

        assertThat(ended.get(5, TimeUnit.SECONDS).getReasonString().map(Object::toString))
                .hasValue("service v2k-bridge was removed from the configuration");
        assertThat(broker.counter(PREFIX + "config.reload.successes")).isEqualTo(successes + 1);
        final Mqtt5ConnAckException refused = catchThrowableOfType(
                Mqtt5ConnAckException.class,
                () -> client(v2k, "v2k-bridge", new CompletableFuture<>()).connect());
        assertThat(refused)
                .as("v2k-bridge is no longer a service, so not an identity")
                .isNotNull();
        assertThat(dev.getState().isConnected()).as("devices are not concerned").isTrue();
    }

    @Test
    void an_invalid_edit_changes_nothing_and_is_counted() throws Exception {
        final Mqtt5BlockingClient bridge = connected(v2k, "v2k-bridge");
        final long failures = broker.counter(PREFIX + "config.reload.failures");
        final Instant at = Instant.now();

        LiveFiles.writeInPlace(
                LiveFiles.config(broker, "acl-extension"),
                config("").replace("<service><identity>v2k-bridge</identity></service>", "<service><identity/>"));
        LiveFiles.awaitCounter(broker, PREFIX + "config.reload.failures", failures, Duration.ofSeconds(5), at);
        LiveFiles.writeInPlace(
                LiveFiles.config(broker, "acl-extension"), config("<subscribe>#</subscribe><unknown-element/>"));
        LiveFiles.awaitCounter(broker, PREFIX + "config.reload.failures", failures + 1, Duration.ofSeconds(5), at);

        assertThat(bridge.getState().isConnected()).isTrue();
        assertThat(bridge.subscribeWith().topicFilter("+/attrs").send().getReasonCodes())
                .as("the last good rights stay in force")
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
        final Mqtt5BlockingClient again = connected(v2k, "v2k-bridge/second");
        assertThat(subscribeCodes(again, "#")).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        Files.writeString(LiveFiles.config(broker, "acl-extension"), BASE);
    }

    @Test
    void a_service_added_by_renaming_a_new_file_over_the_old_one_gets_in_within_seconds() throws Exception {
        final Credentials audit = pki.client("audit-bridge");
        assertThat(catchThrowableOfType(
                        Mqtt5ConnAckException.class, () -> client(audit, "audit-bridge", new CompletableFuture<>())
                                .connect()))
                .isNotNull();
        final Mqtt5BlockingClient dev = connected(device, "admin:a1998e");

        final Duration took = LiveFiles.reconfigure(
                broker,
                "acl-extension",
                BASE.replace(
                        "</services>",
                        "<service><identity>audit-bridge</identity><subscribe>#</subscribe></service></services>"),
                true);

        assertThat(took).isLessThan(Duration.ofSeconds(5));
        final Mqtt5BlockingClient auditor = connected(audit, "audit-bridge");
        assertThat(auditor.subscribeWith().topicFilter("#").send().getReasonCodes())
                .containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
        assertThat(dev.getState().isConnected()).isTrue();
    }

    @Test
    void connects_racing_a_reload_never_keep_rights_the_new_configuration_took_away() throws Exception {
        final AtomicBoolean racing = new AtomicBoolean(true);
        final List<Mqtt5BlockingClient> racers = new ArrayList<>();
        final ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int t = 0; t < 4; t++) {
                final int thread = t;
                pool.submit(() -> {
                    for (int i = 0; racing.get(); i++) {
                        final Mqtt5BlockingClient racer =
                                client(v2k, "v2k-bridge/race-" + thread + "-" + i, new CompletableFuture<>());
                        synchronized (racers) {
                            racers.add(racer);
                        }
                        try {
                            racer.connect();
                        } catch (final RuntimeException refused) {
                            // refused once the reload is in force: expected
                        }
                    }
                    return null;
                });
            }
            Thread.sleep(500);
            LiveFiles.reconfigure(broker, "acl-extension", config("<subscribe>admin:other/attrs</subscribe>"), false);
            Thread.sleep(300);
        } finally {
            racing.set(false);
            pool.shutdown();
            assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
        }

        Thread.sleep(2000);
        final List<Mqtt5BlockingClient> stillConnected;
        synchronized (racers) {
            stillConnected =
                    racers.stream().filter(c -> c.getState().isConnected()).toList();
        }
        assertThat(racers).as("some CONNECTs ran before the reload").hasSizeGreaterThan(stillConnected.size() + 4);
        for (final Mqtt5BlockingClient survivor : stillConnected) {
            assertThat(subscribeCodes(survivor, "+/attrs"))
                    .as("a connection that survived the reload holds only the new rights")
                    .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        }
        final Mqtt5BlockingClient after = connected(v2k, "v2k-bridge/after");
        assertThat(subscribeCodes(after, "+/attrs")).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
    }

    @Test
    void a_leading_wildcard_in_a_bridges_rights_never_reaches_dollar_topics() throws Exception {
        final Mqtt5BlockingClient bridge = connected(k2v, "k2v-bridge");

        final var refused = catchThrowableOfType(
                com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException.class, () -> bridge.publishWith()
                        .topic("$SYS/config")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload("spoofed".getBytes())
                        .send());

        assertThat(refused.getMqttMessage().getReasonCode())
                .isEqualTo(com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        publish(bridge, "admin:a1998e/config", "still allowed");
    }

    @Test
    void a_single_level_wildcard_right_never_grants_a_multi_level_subscription() throws Exception {
        LiveFiles.reconfigure(
                broker, "acl-extension", config("<subscribe>+/attrs</subscribe><subscribe>ops/+</subscribe>"), false);
        final Mqtt5BlockingClient bridge = connected(v2k, "v2k-bridge/guarded");

        assertThat(subscribeCodes(bridge, "ops/#"))
                .as("HiveMQ's own check would let ops/+ grant ops/#")
                .containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(subscribeCodes(bridge, "$share/g/ops/#")).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(subscribeCodes(bridge, "$SYS/attrs")).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        assertThat(subscribeCodes(bridge, "ops/x")).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
        assertThat(subscribeCodes(bridge, "+/attrs")).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_2);
    }
}
