package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.MqttGlobalPublishFilter;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3ConnAckException;
import com.hivemq.client.mqtt.mqtt3.exceptions.Mqtt3SubAckException;
import com.hivemq.client.mqtt.mqtt3.message.connect.connack.Mqtt3ConnAckReturnCode;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscribe;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.Mqtt3Subscription;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAck;
import com.hivemq.client.mqtt.mqtt3.message.subscribe.suback.Mqtt3SubAckReturnCode;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAck;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.publish.Mqtt5Publish;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAck;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * acl-extension as packaged, in a real HiveMQ, over mutual TLS, with the HiveMQ MQTT client (3.1.1
 * and 5) and mosquitto.
 */
class AclEndToEndTest {

    private static final String PREFIX = "dev.certguard.acl-extension.";

    @TempDir
    static Path dir;

    static TestPki pki;

    @AutoClose
    static TestBroker broker;

    static Credentials v2k;
    static Credentials k2v;
    static Credentials audit;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        v2k = pki.client("v2k-bridge");
        k2v = pki.client("k2v-bridge");
        audit = pki.client("audit-bridge");
        broker = TestBroker.builder(dir)
                .pki(pki)
                .plainListener("plain-testing")
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension>
                            <username-identity-listeners>
                                <listener>plain-testing</listener>
                            </username-identity-listeners>
                            <services>
                                <service>
                                    <identity>v2k-bridge</identity>
                                    <certificate-sha256>%s</certificate-sha256>
                                    <subscribe>+/attrs</subscribe>
                                </service>
                                <service>
                                    <identity>k2v-bridge</identity>
                                    <publish>+/config</publish>
                                </service>
                                <service>
                                    <identity>audit-bridge</identity>
                                    <subscribe>#</subscribe>
                                </service>
                                <service>
                                    <identity>lab-bridge</identity>
                                    <publish>+/config</publish>
                                    <allow-username-identity>true</allow-username-identity>
                                </service>
                            </services>
                        </acl-extension>
                        """
                                .formatted(v2k.sha256()))
                .start();
    }

    private static Mqtt5BlockingClient connected5(final Credentials credentials) {
        final Mqtt5BlockingClient client = broker.mqtt5(credentials, "c-" + UUID.randomUUID());
        client.connect();
        return client;
    }

    private static Mqtt5BlockingClient.Mqtt5Publishes subscribeV2k(final Mqtt5BlockingClient bridge) {
        final Mqtt5BlockingClient.Mqtt5Publishes publishes = bridge.publishes(MqttGlobalPublishFilter.ALL);
        bridge.subscribeWith().topicFilter("+/attrs").qos(MqttQos.AT_LEAST_ONCE).send();
        return publishes;
    }

    @Test
    void device_publish_to_its_attrs_reaches_the_v2k_bridge_over_mqtt5_and_mqtt3() throws Exception {
        final Mqtt5BlockingClient bridge = connected5(v2k);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = subscribeV2k(bridge)) {
            final Mqtt5BlockingClient device5 = connected5(pki.client("admin:d5"));
            device5.publishWith()
                    .topic("admin:d5/attrs")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{\"t\":1}".getBytes())
                    .send();
            final Mqtt3BlockingClient device3 = broker.mqtt3(pki.client("admin:d3"), "d3");
            device3.connect();
            device3.publishWith()
                    .topic("admin:d3/attrs")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{\"t\":3}".getBytes())
                    .send();

            final List<String> got = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                final Optional<Mqtt5Publish> publish = received.receive(5, TimeUnit.SECONDS);
                assertThat(publish).as("message %d at the bridge", i).isPresent();
                got.add(publish.get().getTopic() + " "
                        + new String(publish.get().getPayloadAsBytes(), StandardCharsets.UTF_8));
            }
            assertThat(got).containsExactlyInAnyOrder("admin:d5/attrs {\"t\":1}", "admin:d3/attrs {\"t\":3}");
            device5.disconnect();
            device3.disconnect();
        } finally {
            bridge.disconnect();
        }
    }

    @ParameterizedTest(name = "publish to {0}")
    @ValueSource(
            strings = {
                "admin:other/attrs",
                "acme:pub/attrs",
                "admin:pub/attrs/x",
                "admin:pub/config",
                "admin:pub",
                "admin:pub/attrs/",
                "admin:pub/attrs//",
                "admin:pub/Attrs"
            })
    void publish_outside_the_devices_attrs_is_refused_with_puback_not_authorized_and_not_delivered(final String topic)
            throws Exception {
        final Mqtt5BlockingClient bridge = connected5(audit);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = bridge.publishes(MqttGlobalPublishFilter.ALL)) {
            bridge.subscribeWith().topicFilter("#").qos(MqttQos.AT_LEAST_ONCE).send();
            final Mqtt5BlockingClient device = connected5(pki.client("admin:pub"));
            final long deniedBefore = broker.counter(PREFIX + "publish.denied");

            final Mqtt5PubAckException e = catchThrowableOfType(Mqtt5PubAckException.class, () -> device.publishWith()
                    .topic(topic)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("spoof".getBytes())
                    .send());

            assertThat(e).as("PUBACK error for %s", topic).isNotNull();
            assertThat(e.getMqttMessage().getReasonCode()).as(topic).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
            assertThat(received.receive(300, TimeUnit.MILLISECONDS))
                    .as("delivery of %s", topic)
                    .isEmpty();
            awaitDisconnected(device::getState);
            assertThat(broker.counter(PREFIX + "publish.denied")).as(topic).isEqualTo(deniedBefore + 1);
        } finally {
            bridge.disconnect();
        }
    }

    @Test
    void mqtt3_device_publishing_to_another_devices_attrs_is_disconnected_and_nothing_is_delivered() throws Exception {
        final Mqtt5BlockingClient bridge = connected5(v2k);
        try (Mqtt5BlockingClient.Mqtt5Publishes received = subscribeV2k(bridge)) {
            final Mqtt3BlockingClient device = broker.mqtt3(pki.client("admin:m3"), "m3");
            device.connect();

            try {
                device.publishWith()
                        .topic("admin:other/attrs")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload("spoof".getBytes())
                        .send();
            } catch (final RuntimeException expected) {
                // MQTT 3.1.1 has no PUBACK error code: the broker closes the connection.
            }

            assertThat(received.receive(500, TimeUnit.MILLISECONDS)).isEmpty();
            awaitDisconnected(device::getState);
        } finally {
            bridge.disconnect();
        }
    }

    @Test
    void every_filter_of_a_multi_topic_subscribe_is_checked_on_its_own_mqtt5() {
        final Mqtt5BlockingClient device = connected5(pki.client("admin:sub5"));
        final long deniedBefore = broker.counter(PREFIX + "subscription.denied");
        final List<String> filters = List.of(
                "admin:sub5/config",
                "admin:other/config",
                "admin:sub5/#",
                "+/config",
                "#",
                "$SYS/#",
                "admin:sub5/config/x",
                "$share/g/admin:sub5/config",
                "$share/g/+/config",
                "admin:sub5/attrs",
                "admin:sub5/config/",
                "admin:sub5/config//",
                "$share/g/admin:sub5/config/");
        final List<Mqtt5Subscription> subscriptions = new ArrayList<>();
        filters.forEach(f -> subscriptions.add(Mqtt5Subscription.builder()
                .topicFilter(f)
                .qos(MqttQos.AT_LEAST_ONCE)
                .build()));

        final Mqtt5SubAck ack = subscribe5(
                device, Mqtt5Subscribe.builder().addSubscriptions(subscriptions).build());

        final Mqtt5SubAckReasonCode denied = Mqtt5SubAckReasonCode.NOT_AUTHORIZED;
        assertThat(ack.getReasonCodes())
                .containsExactly(
                        Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                        denied,
                        denied,
                        denied,
                        denied,
                        denied,
                        denied,
                        Mqtt5SubAckReasonCode.GRANTED_QOS_1,
                        denied,
                        denied,
                        denied,
                        denied,
                        denied);
        assertThat(broker.counter(PREFIX + "subscription.denied") - deniedBefore)
                .isEqualTo(11);
        device.disconnect();
    }

    @Test
    void every_filter_of_a_multi_topic_subscribe_is_checked_on_its_own_mqtt3() {
        final Mqtt3BlockingClient device = broker.mqtt3(pki.client("admin:sub3"), "sub3");
        device.connect();
        final List<Mqtt3Subscription> subscriptions = new ArrayList<>();
        for (final String filter : List.of("admin:other/config", "admin:sub3/config", "#", "+/+")) {
            subscriptions.add(Mqtt3Subscription.builder()
                    .topicFilter(filter)
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .build());
        }

        Mqtt3SubAck ack;
        try {
            ack = device.subscribe(
                    Mqtt3Subscribe.builder().addSubscriptions(subscriptions).build());
        } catch (final Mqtt3SubAckException e) {
            ack = e.getMqttMessage();
        }

        assertThat(ack.getReturnCodes())
                .containsExactly(
                        Mqtt3SubAckReturnCode.FAILURE,
                        Mqtt3SubAckReturnCode.SUCCESS_MAXIMUM_QOS_1,
                        Mqtt3SubAckReturnCode.FAILURE,
                        Mqtt3SubAckReturnCode.FAILURE);
        device.disconnect();
    }

    @Test
    void config_published_by_the_k2v_bridge_reaches_only_that_device() throws Exception {
        final Mqtt3BlockingClient target = broker.mqtt3(pki.client("admin:cfg"), "cfg");
        target.connect();
        final Mqtt5BlockingClient other = connected5(pki.client("admin:cfg2"));
        try (Mqtt3BlockingClient.Mqtt3Publishes targetReceived = target.publishes(MqttGlobalPublishFilter.ALL);
                Mqtt5BlockingClient.Mqtt5Publishes otherReceived = other.publishes(MqttGlobalPublishFilter.ALL)) {
            target.subscribeWith()
                    .topicFilter("admin:cfg/config")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            other.subscribeWith()
                    .topicFilter("admin:cfg2/config")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .send();
            final Mqtt5BlockingClient bridge = connected5(k2v);

            bridge.publishWith()
                    .topic("admin:cfg/config")
                    .qos(MqttQos.AT_LEAST_ONCE)
                    .payload("{\"rate\":5}".getBytes())
                    .send();

            assertThat(targetReceived.receive(5, TimeUnit.SECONDS)).get().satisfies(p -> assertThat(
                            new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"rate\":5}"));
            assertThat(otherReceived.receive(300, TimeUnit.MILLISECONDS)).isEmpty();
            bridge.disconnect();
        } finally {
            target.disconnect();
            other.disconnect();
        }
    }

    @ParameterizedTest(name = "subject {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "CN=admin:a1998e,CN=admin:other | 2 CNs",
                "CN=admin:a1998e+CN=v2k-bridge  | 2 CNs",
                "O=dojot                        | no CN",
                "CN=admin:#                     | '#'",
                "CN=admin:\\+                   | '+'",
                "CN=admin:a/b                   | '/'",
                "CN=\\+:x                       | '+'",
                "CN=$SYS:x                      | '$'",
                "CN=admin                       | not of the form",
                "CN=a:b:c                       | more than one ':'",
                "CN=admin:a b                   | whitespace",
                "CN=v2k-bridge-evil             | not of the form",
                "CN=xv2k-bridge                 | not of the form",
                "CN=:a1998e                     | tenant is empty"
            })
    void hostile_certificate_subject_is_refused_with_not_authorized_and_a_reason(
            final String subject, final String reason) {
        final Credentials hostile = pki.clientWithSubject(subject);
        final long before = broker.counter(PREFIX + "connect.rejected.invalid-identity");

        final Mqtt5ConnAckException e =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(hostile, "hostile")
                        .connect());

        assertThat(e).as("CONNACK error for %s", subject).isNotNull();
        assertThat(e.getMqttMessage().getReasonCode()).as(subject).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(e.getMqttMessage().getReasonString())
                .as(subject)
                .get()
                .asString()
                .contains(reason);
        assertThat(broker.counter(PREFIX + "connect.rejected.invalid-identity"))
                .as(subject)
                .isEqualTo(before + 1);
    }

    @Test
    void hostile_certificate_subject_is_refused_with_not_authorized_over_mqtt3() {
        final Mqtt3ConnAckException e = catchThrowableOfType(
                Mqtt3ConnAckException.class,
                () -> broker.mqtt3(pki.clientWithSubject("CN=admin:#"), "h3").connect());

        assertThat(e.getMqttMessage().getReturnCode()).isEqualTo(Mqtt3ConnAckReturnCode.NOT_AUTHORIZED);
    }

    @Test
    void service_name_with_another_certificate_than_the_pinned_one_is_refused() {
        final Credentials impostor = pki.client("v2k-bridge");

        final Mqtt5ConnAckException e =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(impostor, "impostor")
                        .connect());

        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(e.getMqttMessage().getReasonString()).get().asString().contains("pinned for service v2k-bridge");
    }

    @Test
    void will_outside_the_devices_rights_is_refused_at_connect_and_its_own_attrs_is_accepted() {
        final Credentials device = pki.client("admin:will");

        final Mqtt5ConnAckException e =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(device, "w1")
                        .connectWith()
                        .willPublish()
                        .topic("admin:other/attrs")
                        .payload("bye".getBytes())
                        .applyWillPublish()
                        .send());
        final Mqtt5BlockingClient good = broker.mqtt5(device, "w2");
        final Mqtt5ConnAck ack = good.connectWith()
                .willPublish()
                .topic("admin:will/attrs")
                .payload("bye".getBytes())
                .applyWillPublish()
                .send();

        assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(e.getMqttMessage().getReasonString())
                .get()
                .asString()
                .contains("will topic 'admin:other/attrs' is not allowed");
        assertThat(ack.getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        good.disconnect();
    }

    @Test
    void client_without_a_certificate_or_from_an_unknown_ca_cannot_connect() {
        assertThatThrownBy(() -> broker.mqtt5(
                                Credentials.withoutClientCertificate(
                                        pki.authority().certificate()),
                                "anon")
                        .connect())
                .as("no client certificate")
                .isNotInstanceOf(Mqtt5ConnAckException.class);
        assertThatThrownBy(() -> broker.mqtt5(pki.untrustedClient("admin:a1998e"), "stranger")
                        .connect())
                .as("certificate from an unknown CA")
                .isNotInstanceOf(Mqtt5ConnAckException.class);
    }

    @Test
    void mqtt5_client_learns_its_bound_id_only_when_it_sent_an_empty_client_id() {
        final Credentials device = pki.client("admin:assigned");

        final Mqtt5BlockingClient anonymous = broker.mqtt5(device, "");
        final Mqtt5ConnAck assigned = anonymous.connect();
        final Mqtt5BlockingClient named = broker.mqtt5(device, "sensor-7");
        final Mqtt5ConnAck kept = named.connect();

        assertThat(assigned.getAssignedClientIdentifier())
                .as("an empty client id gets a broker-generated id, bound to the identity")
                .get()
                .asString()
                .startsWith("admin:assigned/");
        assertThat(kept.getAssignedClientIdentifier())
                .as("MQTT 5 allows no Assigned Client Identifier for a client id the client chose")
                .isEmpty();
        anonymous.disconnect();
        named.disconnect();
    }

    @Test
    void another_identity_reusing_a_client_id_neither_kicks_nor_reads_the_owners_session() throws Exception {
        final Credentials victim = pki.client("admin:victim");
        final Credentials attacker = pki.client("admin:attacker");
        final Mqtt5BlockingClient owner = broker.mqtt5(victim, "sensor-1");
        owner.connectWith().cleanStart(true).sessionExpiryInterval(600).send();
        owner.subscribeWith()
                .topicFilter("admin:victim/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send();
        owner.disconnect();
        final Mqtt5BlockingClient bridge = connected5(k2v);
        bridge.publishWith()
                .topic("admin:victim/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("queued".getBytes())
                .send();

        final Mqtt5BlockingClient thief = broker.mqtt5(attacker, "sensor-1");
        try (Mqtt5BlockingClient.Mqtt5Publishes stolen = thief.publishes(MqttGlobalPublishFilter.ALL)) {
            final Mqtt5ConnAck thiefAck = thief.connectWith()
                    .cleanStart(false)
                    .sessionExpiryInterval(600)
                    .send();
            assertThat(thiefAck.isSessionPresent())
                    .as("attacker must not get the victim's session")
                    .isFalse();
            assertThat(stolen.receive(500, TimeUnit.MILLISECONDS))
                    .as("attacker must not read queued messages")
                    .isEmpty();
        }

        try (Mqtt5BlockingClient.Mqtt5Publishes delivered = owner.publishes(MqttGlobalPublishFilter.ALL)) {
            final Mqtt5ConnAck ownerAck = owner.connectWith()
                    .cleanStart(false)
                    .sessionExpiryInterval(600)
                    .send();
            assertThat(ownerAck.isSessionPresent()).isTrue();
            assertThat(delivered.receive(5, TimeUnit.SECONDS)).get().satisfies(p -> assertThat(
                            new String(p.getPayloadAsBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("queued"));
        }

        for (final String stolenId : List.of("sensor-1", "admin:victim", "admin:victim/sensor-1")) {
            final Mqtt5BlockingClient takeover = broker.mqtt5(attacker, stolenId);
            takeover.connect();
            Thread.sleep(200);
            assertThat(owner.getState().isConnected())
                    .as("owner still connected after attacker used '%s'", stolenId)
                    .isTrue();
            takeover.disconnect();
        }
        owner.disconnect();
        bridge.disconnect();
    }

    @Test
    void username_is_the_identity_only_on_the_testing_listener() {
        final Mqtt5BlockingClient device = broker.plainMqtt5("plain-1");
        device.connectWith()
                .simpleAuth()
                .username("admin:plain")
                .applySimpleAuth()
                .send();
        device.publishWith()
                .topic("admin:plain/attrs")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("1".getBytes())
                .send();
        final Mqtt5PubAckException denied = catchThrowableOfType(Mqtt5PubAckException.class, () -> device.publishWith()
                .topic("admin:other/attrs")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("1".getBytes())
                .send());
        assertThat(denied.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        try {
            awaitDisconnected(device::getState);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }

        final Mqtt5ConnAckException anonymous = catchThrowableOfType(
                Mqtt5ConnAckException.class, () -> broker.plainMqtt5("plain-2").connect());
        assertThat(anonymous.getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.BAD_USER_NAME_OR_PASSWORD);

        final Mqtt5ConnAckException claimedService =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.plainMqtt5("plain-3")
                        .connectWith()
                        .simpleAuth()
                        .username("v2k-bridge")
                        .applySimpleAuth()
                        .send());
        assertThat(claimedService.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(claimedService.getMqttMessage().getReasonString())
                .get()
                .asString()
                .contains("must authenticate with its certificate");

        final Mqtt5BlockingClient lab = broker.plainMqtt5("plain-4");
        lab.connectWith().simpleAuth().username("lab-bridge").applySimpleAuth().send();
        lab.publishWith()
                .topic("admin:plain/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("1".getBytes())
                .send();
        lab.disconnect();
    }

    @Test
    void username_on_the_certificate_listener_grants_nothing() {
        final Mqtt5BlockingClient device = broker.mqtt5(pki.client("admin:user"), "u1");
        device.connectWith()
                .simpleAuth()
                .username("v2k-bridge")
                .applySimpleAuth()
                .send();

        final Mqtt5SubAck ack = subscribe5(
                device,
                Mqtt5Subscribe.builder()
                        .topicFilter("+/attrs")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .build());

        assertThat(ack.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        device.disconnect();
    }

    @Test
    void accepted_connects_are_counted() {
        final long before = broker.counter(PREFIX + "connect.accepted");
        connected5(pki.client("admin:counted")).disconnect();
        assertThat(broker.counter(PREFIX + "connect.accepted")).isEqualTo(before + 1);
    }

    @Test
    void seed_workflow_with_mosquitto_pub_and_sub_on_one_certificate_at_the_same_time() throws Exception {
        Mosquitto.require();
        final Credentials seed = pki.client("admin:a1998e");
        final Mqtt5BlockingClient bridge = connected5(v2k);
        try (Mqtt5BlockingClient.Mqtt5Publishes atBridge = subscribeV2k(bridge);
                Mosquitto.Subscriber sub = Mosquitto.Subscriber.start(
                        broker.tlsPort(), concat(List.of("-t", "admin:a1998e/config", "-v"), Mosquitto.tls(seed)))) {
            assertThat(sub.await("received SUBACK", Duration.ofSeconds(10)))
                    .as(sub.output())
                    .isNotNull();

            final Mosquitto.Result pub = Mosquitto.pub(
                    broker.tlsPort(),
                    concat(List.of("-t", "admin:a1998e/attrs", "-m", "{\"attr_example\": 10 }"), Mosquitto.tls(seed)));
            assertThat(pub.exitCode()).as(pub.output()).isZero();
            assertThat(atBridge.receive(5, TimeUnit.SECONDS))
                    .get()
                    .satisfies(p -> assertThat(p.getTopic().toString()).isEqualTo("admin:a1998e/attrs"));

            final Mqtt5BlockingClient configBridge = connected5(k2v);
            configBridge
                    .publishWith()
                    .topic("admin:a1998e/config")
                    .payload("{\"interval\": 5}".getBytes())
                    .send();
            assertThat(sub.await("admin:a1998e/config {\"interval\": 5}", Duration.ofSeconds(5)))
                    .as(sub.output())
                    .isNotNull();
            assertThat(sub.isAlive())
                    .as("mosquitto_sub was not kicked by mosquitto_pub")
                    .isTrue();
            configBridge.disconnect();
        } finally {
            bridge.disconnect();
        }
    }

    @Test
    void mosquitto_sees_per_filter_suback_codes_and_puback_refusals() throws Exception {
        Mosquitto.require();
        final Credentials device = pki.client("admin:mosq");
        try (Mosquitto.Subscriber sub = Mosquitto.Subscriber.start(
                broker.tlsPort(),
                concat(
                        List.of("-V", "mqttv5", "-t", "admin:mosq/config", "-t", "#", "-t", "admin:other/config"),
                        Mosquitto.tls(device)))) {
            assertThat(sub.await("Subscribed (mid: 1): 0, 135, 135", Duration.ofSeconds(10)))
                    .as(sub.output())
                    .isNotNull();
        }
        final Mosquitto.Result pub = Mosquitto.pub(
                broker.tlsPort(),
                concat(
                        List.of("-V", "mqttv5", "-q", "1", "-t", "admin:other/attrs", "-m", "x"),
                        Mosquitto.tls(device)));
        assertThat(pub.output()).contains("Not authorized");
    }

    @Test
    void mosquitto_with_an_invalid_identity_is_refused_at_connect() throws Exception {
        Mosquitto.require();
        final Mosquitto.Result pub = Mosquitto.pub(
                broker.tlsPort(),
                concat(List.of("-t", "admin:x/attrs", "-m", "x"), Mosquitto.tls(pki.clientWithSubject("CN=admin:#"))));
        final Mosquitto.Result pub5 = Mosquitto.pub(
                broker.tlsPort(),
                concat(
                        List.of("-V", "mqttv5", "-t", "admin:x/attrs", "-m", "x"),
                        Mosquitto.tls(pki.clientWithSubject("CN=admin:#"))));

        assertThat(pub.exitCode()).as(pub.output()).isNotZero();
        assertThat(pub.output()).contains("not authorised");
        assertThat(pub5.exitCode()).as(pub5.output()).isNotZero();
        assertThat(pub5.output()).contains("Not authorized");
    }

    private static Mqtt5SubAck subscribe5(final Mqtt5BlockingClient client, final Mqtt5Subscribe subscribe) {
        try {
            return client.subscribe(subscribe);
        } catch (final Mqtt5SubAckException e) {
            return e.getMqttMessage();
        }
    }

    private static void awaitDisconnected(
            final java.util.function.Supplier<com.hivemq.client.mqtt.MqttClientState> state)
            throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (state.get().isConnected() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(state.get().isConnected())
                .as("the broker disconnects a client after a refused publish")
                .isFalse();
    }

    private static List<String> concat(final List<String> a, final List<String> b) {
        final List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
