package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.testing.TestBroker;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The broker serves only when every certguard extension runs; otherwise it is stopped and the
 * failure names the extension and the reason.
 */
class StartupFailureTest {

    @TempDir
    Path dir;

    @Test
    void missing_extension_folder_stops_startup_naming_it() throws Exception {
        final TestBroker.Builder builder = TestBroker.builder(dir);
        final BrokerHome home = builder.prepare();
        BrokerHome.deleteRecursively(home.extension("crl-extension"));

        final BrokerStartException e = catchThrowableOfType(BrokerStartException.class, () -> builder.start(home));

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("crl-extension: folder ")
                .endsWith(" is missing");
    }

    @Test
    void extension_disabled_by_marker_stops_startup_naming_it() throws Exception {
        final TestBroker.Builder builder = TestBroker.builder(dir);
        final BrokerHome home = builder.prepare();
        Files.createFile(home.extension("disconnect-extension").resolve("DISABLED"));

        final BrokerStartException e = catchThrowableOfType(BrokerStartException.class, () -> builder.start(home));

        assertThat(e.problems()).singleElement().asString().startsWith("disconnect-extension: disabled");
    }

    @Test
    void extension_that_hivemq_cannot_load_stops_the_started_broker_naming_it() throws Exception {
        final TestBroker.Builder builder = TestBroker.builder(dir);
        final BrokerHome home = builder.prepare();
        try (var jars = Files.list(home.extension("acl-extension"))) {
            for (final Path jar :
                    jars.filter(p -> p.toString().endsWith(".jar")).toList()) {
                Files.writeString(jar, "not a jar");
            }
        }

        final BrokerStartException e = catchThrowableOfType(BrokerStartException.class, () -> builder.start(home));

        assertThat(e.problems()).singleElement().asString().startsWith("acl-extension: ");
    }

    @Test
    void invalid_acl_configuration_stops_startup_with_every_problem_and_file_and_element() throws Exception {
        final TestBroker.Builder builder = TestBroker.builder(dir)
                .extensionConfig(
                        "acl-extension",
                        """
                <acl-extension>
                    <require-client-id-equals-identity>yes</require-client-id-equals-identity>
                    <services><service><identity>a:b</identity><publish>#</publish></service></services>
                </acl-extension>
                """);

        final BrokerStartException e = catchThrowableOfType(BrokerStartException.class, builder::start);

        assertThat(e.problems())
                .singleElement()
                .asString()
                .startsWith("acl-extension: failed: invalid configuration: ")
                .contains(
                        "acl-extension/conf/config.xml: <require-client-id-equals-identity> must be true or false, was 'yes'")
                .contains(
                        "acl-extension/conf/config.xml: <services/service/identity> 'a:b' is not a plain service name");
    }

    @Test
    void no_listener_is_left_open_after_a_refused_start() throws Exception {
        final TestBroker.Builder builder =
                TestBroker.builder(dir).extensionConfig("acl-extension", "<acl-extension><bogus/></acl-extension>");
        final BrokerHome home = builder.prepare();

        catchThrowableOfType(BrokerStartException.class, () -> builder.start(home));

        assertThat(portIsClosed(tlsPort(home))).isTrue();
    }

    @Test
    void client_connecting_while_an_extension_failed_is_refused_by_the_gate_with_the_reason() throws Exception {
        // The window between HiveMQ serving and the launcher stopping it: the gate, started after every
        // certguard extension, has already seen the failure, so the first CONNECT is refused.
        final TestBroker.Builder builder =
                TestBroker.builder(dir).extensionConfig("acl-extension", "<acl-extension><bogus/></acl-extension>");
        final BrokerHome home = builder.prepare();
        Files.createDirectories(home.data());
        final com.hivemq.embedded.EmbeddedHiveMQ hivemq = EmbeddedBroker.gated(home);
        try {
            hivemq.start().get();
            final var client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                    .identifier("early")
                    .serverHost("localhost")
                    .serverPort(tlsPort(home))
                    .sslConfig(builder.pki().client("admin:early").sslConfig())
                    .buildBlocking();

            final Mqtt5ConnAckException refused = catchThrowableOfType(Mqtt5ConnAckException.class, client::connect);

            assertThat(refused).as("CONNECT refused").isNotNull();
            assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
            assertThat(refused.getMqttMessage().getReasonString())
                    .get()
                    .asString()
                    .isEqualTo("certguard is not serving: acl-extension (the broker's log says why)");
        } finally {
            hivemq.close();
        }
    }

    @Test
    void embedded_broker_without_any_authenticator_refuses_clients() throws Exception {
        // Pins the embedded builder's documented switch: with no authenticator at all (every extension
        // disabled, no gate), HiveMQ must refuse rather than allow.
        final TestBroker.Builder builder = TestBroker.builder(dir);
        final BrokerHome home = builder.prepare();
        Files.createDirectories(home.data());
        for (final String id : BrokerHome.REQUIRED_EXTENSIONS) {
            Files.writeString(home.extension(id).resolve("DISABLED"), "");
        }
        final com.hivemq.embedded.EmbeddedHiveMQ hivemq = com.hivemq.embedded.EmbeddedHiveMQ.builder()
                .withConfigurationFolder(home.conf())
                .withDataFolder(home.data())
                .withExtensionsFolder(home.extensions())
                .build();
        EmbeddedBroker.denyWithoutAuthenticator();
        try {
            hivemq.start().get();
            final var client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                    .identifier("nobody-decides")
                    .serverHost("localhost")
                    .serverPort(tlsPort(home))
                    .sslConfig(builder.pki().client("admin:nobody").sslConfig())
                    .buildBlocking();

            final Mqtt5ConnAckException refused = catchThrowableOfType(Mqtt5ConnAckException.class, client::connect);

            assertThat(refused).as("CONNECT refused").isNotNull();
            assertThat(refused.getMqttMessage().getReasonCode().isError()).isTrue();
        } finally {
            hivemq.close();
        }
    }

    private static int tlsPort(final BrokerHome home) throws java.io.IOException {
        return Integer.parseInt(Files.readString(home.configFile()).replaceAll("(?s).*<port>(\\d+)</port>.*", "$1"));
    }

    @Test
    void strict_mode_requires_the_client_id_to_equal_the_identity() throws Exception {
        try (TestBroker broker = TestBroker.builder(dir)
                .extensionConfig(
                        "acl-extension",
                        """
                <acl-extension><require-client-id-equals-identity>true</require-client-id-equals-identity></acl-extension>
                """)
                .start()) {
            final var device = broker.pki().client("admin:strict");

            final Mqtt5ConnAckException e =
                    catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(device, "something-else")
                            .connect());
            broker.mqtt5(device, "admin:strict").connect();

            assertThat(e.getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
            assertThat(e.getMqttMessage().getReasonString())
                    .get()
                    .asString()
                    .contains("must equal the identity admin:strict");
        }
    }

    @Test
    void invalid_disconnect_configuration_refuses_clients_even_without_the_launcher_checks() throws Exception {
        // As on a standalone HiveMQ: no startup gate, no status check; acl-extension authenticates first.
        final TestBroker.Builder builder = TestBroker.builder(dir)
                .extensionConfig(
                        "disconnect-extension",
                        "<disconnect-extension><jitter-percent>200</jitter-percent></disconnect-extension>");
        final BrokerHome home = builder.prepare();
        Files.createDirectories(home.data());
        final com.hivemq.embedded.EmbeddedHiveMQ hivemq = com.hivemq.embedded.EmbeddedHiveMQ.builder()
                .withConfigurationFolder(home.conf())
                .withDataFolder(home.data())
                .withExtensionsFolder(home.extensions())
                .build();
        try {
            hivemq.start().get();
            final int port = Integer.parseInt(
                    Files.readString(home.configFile()).replaceAll("(?s).*<port>(\\d+)</port>.*", "$1"));
            final var ended = new java.util.concurrent.CompletableFuture<Throwable>();
            final var device = builder.pki().client("admin:standalone");
            final var willer = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                    .identifier("willer")
                    .serverHost("localhost")
                    .serverPort(port)
                    .sslConfig(device.sslConfig())
                    .buildBlocking();
            final var willRefused = catchThrowableOfType(
                    com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException.class, () -> willer.connectWith()
                            .willPublish()
                            .topic("admin:standalone/attrs")
                            .payload("w".getBytes())
                            .applyWillPublish()
                            .send());
            assertThat(willRefused)
                    .as("a will is refused at CONNECT, so none can get out")
                    .isNotNull();
            final var client = com.hivemq.client.mqtt.mqtt5.Mqtt5Client.builder()
                    .identifier("standalone")
                    .serverHost("localhost")
                    .serverPort(port)
                    .sslConfig(device.sslConfig())
                    .addDisconnectedListener(context -> ended.complete(context.getCause()))
                    .buildBlocking();
            try {
                client.connect();
            } catch (final RuntimeException refusedAtConnect) {
                ended.complete(refusedAtConnect);
            }

            final Throwable cause = ended.get(10, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(cause).isInstanceOf(com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException.class);
            final var disconnect =
                    ((com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException) cause).getMqttMessage();
            assertThat(disconnect.getReasonCode())
                    .isEqualTo(
                            com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(disconnect.getReasonString())
                    .get()
                    .asString()
                    .contains("disconnect-extension configuration is invalid");
        } finally {
            hivemq.close();
        }
    }

    private static boolean portIsClosed(final int port) {
        try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
            return false;
        } catch (final java.io.IOException e) {
            return true;
        }
    }
}
