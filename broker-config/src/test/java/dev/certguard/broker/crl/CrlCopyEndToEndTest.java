package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A broker restarted while its HTTP CRL server is down: the copy of the last good CRL kept in
 * HiveMQ's data folder lets devices in at once and keeps revoked ones out; a tampered copy is
 * refused, and the broker stays closed until a good CRL is fetched.
 */
class CrlCopyEndToEndTest {

    private record Answer(int status, byte[] body) {}

    @TempDir
    Path dir;

    private final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(503, "down".getBytes()));
    private HttpServer server;
    private TestBroker broker;

    @AfterEach
    void stop() {
        if (broker != null) {
            broker.close();
        }
        if (server != null) {
            server.stop(0);
        }
    }

    private static Mqtt5ConnAckReasonCode connect(final TestBroker broker, final Credentials device, final String id) {
        try {
            broker.mqtt5(device, id).connect();
            return Mqtt5ConnAckReasonCode.SUCCESS;
        } catch (final Mqtt5ConnAckException e) {
            return e.getMqttMessage().getReasonCode();
        }
    }

    @Test
    void a_broker_restarted_while_the_crl_server_is_down_admits_devices_from_the_copy_and_refuses_revoked_ones()
            throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/crl/IOTmidCA.crl", exchange -> {
            final Answer next = answer.get();
            exchange.sendResponseHeaders(next.status(), next.body().length);
            exchange.getResponseBody().write(next.body());
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Credentials device = pki.client("admin:copy1");
        final Credentials revoked = pki.client("admin:copy2");
        pki.devPki().revoke(revoked.certificateFile(), 1);
        final TestBroker.Builder builder = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        TestBroker.httpCrlConfig(
                                pki.devPki(), server.getAddress().getPort()));
        final BrokerHome home = builder.prepare();
        answer.set(new Answer(200, Files.readAllBytes(pki.devPki().crlDer())));
        broker = builder.start(home);
        assertThat(connect(broker, device, "first")).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        final Path copies = home.data().resolve("certguard").resolve("crl-copies");
        final long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (copyFiles(copies).isEmpty() && System.nanoTime() < until) {
            Thread.sleep(50);
        }
        assertThat(copyFiles(copies)).as("a copy of the fetched CRL is kept").hasSize(1);
        broker.close();

        answer.set(new Answer(503, "down".getBytes()));
        broker = builder.start(home);

        assertThat(connect(broker, device, "after-restart"))
                .as("admitted at once on the copy, with the CRL server down")
                .isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connect(broker, revoked, "revoked-after-restart"))
                .as("revoked in the copy")
                .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        broker.close();

        final Path copy = copyFiles(copies).get(0);
        final byte[] tampered = Files.readAllBytes(copy);
        tampered[tampered.length - 3] ^= 0x01;
        Files.write(copy, tampered);
        broker = builder.start(home);

        assertThat(connect(broker, device, "tampered-copy"))
                .as("a copy that fails verification is not used: fail closed")
                .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
        final Mqtt5ConnAckException refused =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(revoked, "revoked-tampered")
                        .connect());
        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);

        answer.set(new Answer(200, Files.readAllBytes(pki.devPki().crlDer())));
        final long back = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        Mqtt5ConnAckReasonCode recovered = Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE;
        while (recovered != Mqtt5ConnAckReasonCode.SUCCESS && System.nanoTime() < back) {
            Thread.sleep(200);
            recovered = connect(broker, device, "server-back");
        }
        assertThat(recovered).as("admitted once the server answers again").isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        assertThat(connect(broker, revoked, "revoked-server-back")).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
    }

    private static List<Path> copyFiles(final Path folder) throws java.io.IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(f -> f.getFileName().toString().endsWith(".crl"))
                    .toList();
        }
    }
}
