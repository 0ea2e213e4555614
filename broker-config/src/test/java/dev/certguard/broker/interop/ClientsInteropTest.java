package dev.certguard.broker.interop;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException;
import com.hivemq.client.mqtt.mqtt5.message.publish.puback.Mqtt5PubAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.subscribe.suback.Mqtt5SubAckReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.OutputLines;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.broker.testing.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The MQTT clients devices run, against the packaged broker over TLS 1.2 and TLS 1.3: mosquitto,
 * Eclipse Paho for Python (Debian's python3-paho-mqtt), MQTT.js on Node (npm {@code mqtt}) and the
 * HiveMQ Java client. Each device publishes to its own {@code attrs} (the v2k bridge sees it),
 * receives on its own {@code config} (from the k2v bridge), and is denied another device's topics:
 * SUBACK {@code 0x87}, PUBACK {@code 0x87} (or, where the client does not report PUBACK codes, the
 * message never reaches the bridge).
 */
class ClientsInteropTest {

    private static final Path PYTHON_CLIENT = Path.of("src/test/python/paho_client.py");
    private static final Path NODE_DIR = Path.of("src/test/node");
    private static final String OTHER = "interop:someone-else";

    @TempDir
    static Path dir;

    static TestPki pki;

    @AutoClose
    static TestBroker broker;

    static Mqtt5BlockingClient v2k;
    static Mqtt5BlockingClient k2v;
    static final Queue<String> SEEN_BY_BRIDGE = new ConcurrentLinkedQueue<>();
    static final AtomicInteger DEVICES = new AtomicInteger();

    @BeforeAll
    static void startBrokerAndBridges() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension>
                            <services>
                                <service><identity>v2k-bridge</identity><subscribe>+/attrs</subscribe></service>
                                <service><identity>k2v-bridge</identity><publish>+/config</publish></service>
                            </services>
                        </acl-extension>""")
                .start();
        v2k = broker.mqtt5(pki.client("v2k-bridge"), "v2k-bridge");
        v2k.connect();
        v2k.toAsync()
                .subscribeWith()
                .topicFilter("+/attrs")
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(publish -> SEEN_BY_BRIDGE.add(
                        publish.getTopic() + " " + new String(publish.getPayloadAsBytes(), StandardCharsets.UTF_8)))
                .send()
                .get(10, TimeUnit.SECONDS);
        k2v = broker.mqtt5(pki.client("k2v-bridge"), "k2v-bridge");
        k2v.connect();
    }

    static Stream<Arguments> versions() {
        return Stream.of(Arguments.of("TLSv1.3"), Arguments.of("TLSv1.2"));
    }

    private static Credentials device(final String client) {
        return pki.client("interop:" + client + "-" + DEVICES.incrementAndGet());
    }

    private static String identity(final Credentials device) {
        return dev.certguard.identity.CertificateIdentity.commonNameOrNull(device.certificate());
    }

    private static void sendConfig(final String identity, final String payload) {
        k2v.publishWith()
                .topic(identity + "/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload(payload.getBytes(StandardCharsets.UTF_8))
                .send();
    }

    private static void assertBridgeSawOwnAttrsOnly(final String identity, final String client) throws Exception {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (SEEN_BY_BRIDGE.stream().noneMatch(line -> line.startsWith(identity + "/attrs "))
                && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(SEEN_BY_BRIDGE)
                .as("the bridge got the device's own attrs")
                .anyMatch(line -> line.startsWith(identity + "/attrs "));
        assertThat(SEEN_BY_BRIDGE)
                .as("a publish to another device's attrs never reaches the bridge")
                .noneMatch(line -> line.startsWith(OTHER + "/attrs ") && line.contains(client));
    }

    /** Runs a device program, sends its config once it is READY, and returns what it printed. */
    private static String runDevice(final List<String> command, final Path workDir, final String identity)
            throws Exception {
        final Process process = new ProcessBuilder(command)
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        final OutputLines lines = new OutputLines(process.getInputStream(), "interop-device");
        try {
            assertThat(lines.await("READY", Duration.ofSeconds(30)))
                    .as(String.join(" ", command) + "\n" + lines.output())
                    .isNotNull();
            sendConfig(identity, "{\"config_example\": 1 }");
            assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(lines.output()).isTrue();
            assertThat(process.exitValue()).as(lines.output()).isZero();
            return lines.output();
        } finally {
            process.destroyForcibly();
        }
    }

    private static List<String> deviceArguments(final Credentials device, final String tls) {
        return List.of(
                String.valueOf(broker.tlsPort()),
                device.caFile().toAbsolutePath().toString(),
                device.certificateFile().toAbsolutePath().toString(),
                device.keyFile().toAbsolutePath().toString(),
                tls,
                identity(device),
                OTHER);
    }

    @ParameterizedTest(name = "over {0}")
    @MethodSource("versions")
    void hivemq_java_client(final String tls) throws Exception {
        final Credentials device = device("hivemq");
        final String identity = identity(device);
        final Mqtt5BlockingClient client = broker.mqtt5(device.sslConfig(tls), identity + "/hivemq");
        client.connect();
        final var own = client.toAsync()
                .subscribeWith()
                .topicFilter(identity + "/config")
                .qos(MqttQos.AT_LEAST_ONCE)
                .callback(publish -> SEEN_BY_BRIDGE.add("device " + identity))
                .send()
                .get(10, TimeUnit.SECONDS);
        final Mqtt5SubAckException other = org.assertj.core.api.Assertions.catchThrowableOfType(
                Mqtt5SubAckException.class, () -> client.subscribeWith()
                        .topicFilter(OTHER + "/config")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .send());
        assertThat(own.getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.GRANTED_QOS_1);
        assertThat(other.getMqttMessage().getReasonCodes()).containsExactly(Mqtt5SubAckReasonCode.NOT_AUTHORIZED);
        client.publishWith()
                .topic(identity + "/attrs")
                .qos(MqttQos.AT_LEAST_ONCE)
                .payload("{\"client\": \"hivemq\"}".getBytes(StandardCharsets.UTF_8))
                .send();
        sendConfig(identity, "{\"config_example\": 1 }");
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!SEEN_BY_BRIDGE.contains("device " + identity) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(SEEN_BY_BRIDGE).as("the config reached the device").contains("device " + identity);
        // Last, as the broker disconnects a device after refusing its PUBLISH.
        final Mqtt5PubAckException denied = org.assertj.core.api.Assertions.catchThrowableOfType(
                Mqtt5PubAckException.class, () -> client.publishWith()
                        .topic(OTHER + "/attrs")
                        .qos(MqttQos.AT_LEAST_ONCE)
                        .payload("{\"client\": \"hivemq\"}".getBytes(StandardCharsets.UTF_8))
                        .send());
        assertThat(denied.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5PubAckReasonCode.NOT_AUTHORIZED);
        assertBridgeSawOwnAttrsOnly(identity, "hivemq");
    }

    @ParameterizedTest(name = "over {0}")
    @MethodSource("versions")
    void mosquitto(final String tls) throws Exception {
        Mosquitto.require();
        final Credentials device = device("mosquitto");
        final String identity = identity(device);
        final String version = tls.equals("TLSv1.3") ? "tlsv1.3" : "tlsv1.2";
        final List<String> sub = new ArrayList<>(List.of(
                "-V",
                "mqttv5",
                "--tls-version",
                version,
                "-q",
                "1",
                "-t",
                identity + "/config",
                "-t",
                OTHER + "/config",
                "-C",
                "1",
                "-W",
                "30",
                "-d"));
        sub.addAll(Mosquitto.tls(device));
        try (Mosquitto.Subscriber subscriber = Mosquitto.Subscriber.start(broker.tlsPort(), sub)) {
            assertThat(subscriber.await("Subscribed (mid: 1): 1, 135", Duration.ofSeconds(10)))
                    .as(subscriber.output())
                    .isNotNull();
            final List<String> own = new ArrayList<>(List.of(
                    "-V",
                    "mqttv5",
                    "--tls-version",
                    version,
                    "-q",
                    "1",
                    "-t",
                    identity + "/attrs",
                    "-m",
                    "{\"client\": \"mosquitto\"}"));
            own.addAll(Mosquitto.tls(device));
            assertThat(Mosquitto.pub(broker.tlsPort(), own).exitCode()).isZero();
            final List<String> trespass = new ArrayList<>(List.of(
                    "-V",
                    "mqttv5",
                    "--tls-version",
                    version,
                    "-q",
                    "1",
                    "-t",
                    OTHER + "/attrs",
                    "-m",
                    "{\"client\": \"mosquitto\"}"));
            trespass.addAll(Mosquitto.tls(device));
            assertThat(Mosquitto.pub(broker.tlsPort(), trespass).output()).contains("Not authorized");
            sendConfig(identity, "{\"config_example\": 1 }");
            assertThat(subscriber.await("{\"config_example\": 1 }", Duration.ofSeconds(10)))
                    .as(subscriber.output())
                    .isNotNull();
        }
        assertBridgeSawOwnAttrsOnly(identity, "mosquitto");
    }

    @ParameterizedTest(name = "over {0}")
    @MethodSource("versions")
    void paho_python(final String tls) throws Exception {
        Tools.require("/usr/bin/python3 -c 'import paho.mqtt.client'", "python3-paho-mqtt");
        final Credentials device = device("paho");
        final List<String> command = new ArrayList<>(
                List.of("/usr/bin/python3", PYTHON_CLIENT.toAbsolutePath().toString()));
        command.addAll(deviceArguments(device, tls));

        final String output = runDevice(command, dir, identity(device));

        assertThat(output)
                .startsWith("CONNACK 0")
                .contains("SUBACK own=1 other=135")
                .contains("CONFIG {\"config_example\": 1 }");
        // Paho 1.6 does not report PUBACK reason codes: the refusal shows as a publish the bridge never gets.
        assertBridgeSawOwnAttrsOnly(identity(device), "paho");
    }

    @ParameterizedTest(name = "over {0}")
    @MethodSource("versions")
    void mqtt_js(final String tls) throws Exception {
        Tools.require("command -v node", "nodejs");
        final Path modules = NODE_DIR.resolve("node_modules").resolve("mqtt");
        if (!Files.isDirectory(modules) && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(".ci/run installs MQTT.js with: npm ci --prefix broker-config/src/test/node");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Files.isDirectory(modules), "MQTT.js not installed: npm ci --prefix broker-config/src/test/node");
        final Credentials device = device("mqttjs");
        final List<String> command = new ArrayList<>(List.of("node", "client.mjs"));
        command.addAll(deviceArguments(device, tls));

        final String output = runDevice(command, NODE_DIR.toAbsolutePath(), identity(device));

        assertThat(output)
                .contains("CONNACK 0")
                .contains("SUBACK own=1 other=135")
                .contains("PUBACK own=0 other=135")
                .contains("CONFIG {\"config_example\": 1 }");
        assertBridgeSawOwnAttrsOnly(identity(device), "mqttjs");
    }
}
