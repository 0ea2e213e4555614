package dev.certguard.broker.disconnect;

import com.hivemq.client.mqtt.MqttClientSslConfig;
import com.hivemq.client.mqtt.lifecycle.MqttClientDisconnectedContext;
import com.hivemq.client.mqtt.mqtt3.Mqtt3BlockingClient;
import com.hivemq.client.mqtt.mqtt3.Mqtt3Client;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Test clients that record when and how the broker ended their connection.
 */
public final class Disconnects {

    /** How a connection ended: after how long, with which MQTT 5 reason code and string (null for MQTT 3). */
    public record Ended(Duration after, Mqtt5DisconnectReasonCode reasonCode, String reasonString) {}

    /** A connected client and the future of its end. */
    public record Watched<C>(C client, long connectedAtNanos, CompletableFuture<Ended> ended) {
        public Ended awaitEnd(final Duration timeout) throws Exception {
            return ended.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        public boolean endedYet() {
            return ended.isDone();
        }
    }

    private Disconnects() {}

    public static Watched<Mqtt5BlockingClient> mqtt5(
            final TestBroker broker, final Credentials credentials, final String clientId) {
        return mqtt5WithWill(broker, credentials.sslConfig(), clientId, null);
    }

    /** An MQTT 5 client with these TLS settings (a pinned TLS version, say). */
    public static Watched<Mqtt5BlockingClient> mqtt5(
            final TestBroker broker, final MqttClientSslConfig ssl, final String clientId) {
        return mqtt5WithWill(broker, ssl, clientId, null);
    }

    /** An MQTT 5 client, with a will on {@code willTopic} unless it is null. */
    static Watched<Mqtt5BlockingClient> mqtt5WithWill(
            final TestBroker broker, final Credentials credentials, final String clientId, final String willTopic) {
        return mqtt5WithWill(broker, credentials.sslConfig(), clientId, willTopic);
    }

    private static Watched<Mqtt5BlockingClient> mqtt5WithWill(
            final TestBroker broker, final MqttClientSslConfig ssl, final String clientId, final String willTopic) {
        final CompletableFuture<Ended> ended = new CompletableFuture<>();
        final long[] connectedAt = new long[1];
        final Mqtt5BlockingClient client = Mqtt5Client.builder()
                .identifier(clientId)
                .serverHost("localhost")
                .serverPort(broker.tlsPort())
                .sslConfig(ssl)
                .addDisconnectedListener(context -> ended.complete(ended5(context, connectedAt[0])))
                .buildBlocking();
        if (willTopic == null) {
            client.connect();
        } else {
            client.connectWith()
                    .willPublish()
                    .topic(willTopic)
                    .payload("gone".getBytes())
                    .applyWillPublish()
                    .send();
        }
        connectedAt[0] = System.nanoTime();
        return new Watched<>(client, connectedAt[0], ended);
    }

    public static Watched<Mqtt3BlockingClient> mqtt3(
            final TestBroker broker, final Credentials credentials, final String clientId) {
        final CompletableFuture<Ended> ended = new CompletableFuture<>();
        final long[] connectedAt = new long[1];
        final MqttClientSslConfig ssl = credentials.sslConfig();
        final Mqtt3BlockingClient client = Mqtt3Client.builder()
                .identifier(clientId)
                .serverHost("localhost")
                .serverPort(broker.tlsPort())
                .sslConfig(ssl)
                .addDisconnectedListener(context ->
                        ended.complete(new Ended(Duration.ofNanos(System.nanoTime() - connectedAt[0]), null, null)))
                .buildBlocking();
        client.connect();
        connectedAt[0] = System.nanoTime();
        return new Watched<>(client, connectedAt[0], ended);
    }

    private static Ended ended5(final MqttClientDisconnectedContext context, final long connectedAt) {
        final Duration after = Duration.ofNanos(System.nanoTime() - connectedAt);
        if (context.getCause() instanceof Mqtt5DisconnectException e) {
            return new Ended(
                    after,
                    e.getMqttMessage().getReasonCode(),
                    e.getMqttMessage().getReasonString().map(Object::toString).orElse(null));
        }
        return new Ended(after, null, String.valueOf(context.getCause()));
    }

    static void awaitGaugeZero(final TestBroker broker, final String name) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Integer.valueOf(0).equals(broker.gauge(name)) && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
    }
}
