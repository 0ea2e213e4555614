package dev.certguard.broker.property;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscribe;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.Mqtt5Subscription;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.testing.MqttMatching;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The second property: HiveMQ's own topic matching, in a running broker with the packaged
 * extensions and real MQTT 5 clients, with certguard's permissions for generated service rights:
 * over a few thousand generated filters and topics, no SUBACK grants and no PUBACK accepts what an
 * oracle written from MQTT's matching rules denies. The seed is printed; pass
 * {@code -Dcertguard.property.seed=N} to replay a run.
 */
class BrokerMatchingPropertyTest {

    private static final long SEED = Long.getLong("certguard.property.seed", System.nanoTime());
    private static final String[] LEVELS = {"a", "b", "attrs", "x:y", "+", "$SYS", "c"};
    private static final int SERVICES = 8;

    @TempDir
    static Path dir;

    @AutoClose
    static TestBroker broker;

    static final List<List<String>> publishRights = new ArrayList<>();
    static final List<List<String>> subscribeRights = new ArrayList<>();

    private static String filter(final Random random, final boolean topicOnly) {
        final int depth = 1 + random.nextInt(3);
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            String level = LEVELS[random.nextInt(LEVELS.length)];
            if (topicOnly && level.equals("+")) {
                level = "p";
            }
            if (level.equals("$SYS") && i > 0) {
                level = "s";
            }
            out.append(i == 0 ? "" : "/").append(level);
        }
        if (!topicOnly && random.nextInt(4) == 0) {
            out.append("/#");
        }
        if (!topicOnly && random.nextInt(12) == 0) {
            return "#";
        }
        return out.toString();
    }

    @BeforeAll
    static void start() throws Exception {
        System.out.println("BrokerMatchingPropertyTest seed " + SEED + " (-Dcertguard.property.seed to replay)");
        final Random random = new Random(SEED);
        final StringBuilder services = new StringBuilder();
        for (int s = 0; s < SERVICES; s++) {
            final List<String> publish = new ArrayList<>();
            final List<String> subscribe = new ArrayList<>();
            for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
                publish.add(filter(random, false));
            }
            for (int i = 0, n = 1 + random.nextInt(2); i < n; i++) {
                subscribe.add(filter(random, false));
            }
            publishRights.add(publish);
            subscribeRights.add(subscribe);
            services.append("<service><identity>svc").append(s).append("</identity>");
            publish.forEach(f -> services.append("<publish>").append(f).append("</publish>"));
            subscribe.forEach(f -> services.append("<subscribe>").append(f).append("</subscribe>"));
            services.append("</service>");
        }
        broker = TestBroker.builder(dir)
                .extensionConfig(
                        "acl-extension", "<acl-extension><services>" + services + "</services></acl-extension>")
                .start();
    }

    @Test
    void no_suback_grants_and_no_puback_accepts_what_mqtt_matching_denies() throws Exception {
        final Random random = new Random(SEED ^ 0x5DEECE66DL);
        final List<String> violations = new ArrayList<>();
        int subscriptions = 0;
        int publishes = 0;
        for (int s = 0; s < SERVICES; s++) {
            final Credentials credentials = broker.pki().client("svc" + s);
            Mqtt5BlockingClient client = broker.mqtt5(credentials, "svc" + s);
            client.connect();
            for (int batch = 0; batch < 40; batch++) {
                final List<Mqtt5Subscription> filters = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    final String filter = filter(random, false);
                    filters.add(Mqtt5Subscription.builder()
                            .topicFilter(random.nextInt(8) == 0 ? "$share/g/" + filter : filter)
                            .build());
                }
                List<Mqtt5SubAckReasonCode> codes;
                try {
                    codes = client.subscribe(Mqtt5Subscribe.builder()
                                    .addSubscriptions(filters.stream())
                                    .build())
                            .getReasonCodes();
                } catch (final Mqtt5SubAckException e) {
                    codes = e.getMqttMessage().getReasonCodes();
                } catch (final RuntimeException e) {
                    throw new AssertionError(
                            "SUBSCRIBE "
                                    + filters.stream()
                                            .map(f -> f.getTopicFilter().toString())
                                            .toList()
                                    + " ended the connection: "
                                    + (e.getCause()
                                                    instanceof
                                                    com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException d
                                            ? d.getMqttMessage()
                                            : e),
                            e);
                }
                for (int i = 0; i < filters.size(); i++) {
                    subscriptions++;
                    final String asked = filters.get(i).getTopicFilter().toString();
                    final String bare =
                            asked.startsWith("$share/") ? asked.substring(asked.indexOf('/', 7) + 1) : asked;
                    final boolean granted = !codes.get(i).isError();
                    if (granted && subscribeRights.get(s).stream().noneMatch(f -> MqttMatching.covers(f, bare))) {
                        violations.add("svc" + s + " " + subscribeRights.get(s) + " granted subscription " + asked);
                    }
                }
            }
            for (int i = 0; i < 40; i++) {
                final String topic = filter(random, true);
                publishes++;
                boolean accepted;
                try {
                    client.publishWith()
                            .topic(topic)
                            .qos(MqttQos.AT_LEAST_ONCE)
                            .payload(new byte[] {1})
                            .send();
                    accepted = true;
                } catch (final Mqtt5PubAckException e) {
                    accepted = !e.getMqttMessage().getReasonCode().isError();
                } catch (final com.hivemq.client.mqtt.exceptions.MqttSessionExpiredException e) {
                    // HiveMQ ends the connection after refusing a PUBLISH; the PUBACK may not arrive first.
                    accepted = false;
                }
                if (!accepted) {
                    // HiveMQ may end the connection of a client whose PUBLISH it refused: start afresh.
                    try {
                        client.disconnect();
                    } catch (final RuntimeException alreadyGone) {
                        // ended by the broker
                    }
                }
                if (!client.getState().isConnected()) {
                    client = broker.mqtt5(credentials, "svc" + s);
                    client.connect();
                }
                if (accepted && publishRights.get(s).stream().noneMatch(f -> MqttMatching.matches(f, topic))) {
                    violations.add("svc" + s + " " + publishRights.get(s) + " published to " + topic);
                }
            }
            client.disconnect();
        }
        assertThat(subscriptions).isGreaterThanOrEqualTo(3000);
        assertThat(violations).as("seed " + SEED).isEmpty();
        System.out.println(
                "BrokerMatchingPropertyTest: " + subscriptions + " subscriptions, " + publishes + " publishes");
    }
}
