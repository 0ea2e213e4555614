package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CRL served over HTTP by an in-test server that fails in every way a CA's web server can, then
 * recovers; with the default {@code when-unavailable=reject}.
 */
class HttpCrlEndToEndTest {

    private static final String PREFIX = "dev.certguard.crl-extension.";

    private record Answer(int status, byte[] body, long stallMillis) {}

    @TempDir
    static Path dir;

    static final AtomicReference<Answer> answer = new AtomicReference<>(new Answer(404, "not here".getBytes(), 0));
    static HttpServer server;
    static TestPki pki;
    static TestBroker broker;

    @BeforeAll
    static void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/crl/IOTmidCA.crl", exchange -> {
            final Answer next = answer.get();
            try {
                Thread.sleep(next.stallMillis());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.sendResponseHeaders(next.status(), next.body().length);
            exchange.getResponseBody().write(next.body());
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        pki = TestPki.create(dir.resolve("pki"));
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        TestBroker.httpCrlConfig(
                                pki.devPki(), server.getAddress().getPort()))
                .start();
    }

    @AfterAll
    static void stop() {
        if (broker != null) {
            broker.close();
        }
        server.stop(0);
    }

    private static void serve(final int status, final byte[] body, final long stallMillis) {
        answer.set(new Answer(status, body, stallMillis));
    }

    private static long failures() {
        return broker.embedded().metrics().getCounters().entrySet().stream()
                .filter(e ->
                        e.getKey().startsWith(PREFIX + "source.") && e.getKey().endsWith(".failures"))
                .mapToLong(e -> e.getValue().getCount())
                .sum();
    }

    private static void awaitFailures(final long atLeast) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (failures() < atLeast && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        assertThat(failures()).isGreaterThanOrEqualTo(atLeast);
    }

    private static boolean connects(final Credentials credentials, final String clientId) {
        try {
            broker.mqtt5(credentials, clientId).connect();
            return true;
        } catch (final Mqtt5ConnAckException e) {
            return false;
        }
    }

    @Test
    void failing_server_keeps_the_broker_closed_then_the_last_good_crl_then_cuts_on_revocation() throws Exception {
        final Credentials device = pki.client("admin:http1");

        final Mqtt5ConnAckException unavailable =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(device, "before")
                        .connect());
        assertThat(unavailable.getMqttMessage().getReasonCode())
                .as("404: no CRL yet, fail closed")
                .isEqualTo(Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
        assertThat(unavailable.getMqttMessage().getReasonString())
                .get()
                .asString()
                .isEqualTo("certificate revocation status unavailable");

        serve(200, Files.readAllBytes(pki.devPki().crlDer()), 0);
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        boolean recovered = false;
        while (!recovered && System.nanoTime() < deadline) {
            recovered = connects(device, "recovering");
            Thread.sleep(200);
        }
        assertThat(recovered).as("connects once a good CRL was served").isTrue();
        final var connected = Disconnects.mqtt5(broker, device, "steady");

        long failuresBefore = failures();
        serve(500, "Internal Server Error".getBytes(), 0);
        awaitFailures(failuresBefore + 1);
        serve(200, "<html><body>maintenance</body></html>".getBytes(), 0);
        awaitFailures(failuresBefore + 2);
        serve(200, Files.readAllBytes(pki.devPki().crlDer()), 3000);
        awaitFailures(failuresBefore + 3);
        assertThat(connects(pki.client("admin:http2"), "during-outage"))
                .as("last good CRL still in use")
                .isTrue();
        assertThat(connected.endedYet()).isFalse();

        pki.devPki().revoke(device.certificateFile(), 1);
        serve(200, Files.readAllBytes(pki.devPki().crlPem()), 0);

        final Disconnects.Ended ended = connected.awaitEnd(Duration.ofSeconds(10));
        assertThat(ended.reasonCode()).isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
        assertThat(connects(device, "after")).isFalse();
    }
}
