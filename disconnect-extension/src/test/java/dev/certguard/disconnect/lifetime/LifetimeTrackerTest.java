package dev.certguard.disconnect.lifetime;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.connection.ConnectionGenerations;
import dev.certguard.disconnect.config.DisconnectConfig;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class LifetimeTrackerTest {

    private record Disconnect(String clientId, boolean preventWill, String reason) {}

    private final List<Disconnect> disconnects = new CopyOnWriteArrayList<>();
    private final MetricRegistry registry = new MetricRegistry();
    private LifetimeTracker tracker;

    private LifetimeTracker tracker(final Duration lifetime, final boolean sendWill) {
        tracker = new LifetimeTracker(
                new LifetimePolicy(new DisconnectConfig(lifetime, 0, true, sendWill, Set.of()), bound -> 0),
                new ConnectionGenerations(),
                (clientId, preventWill, reason) -> {
                    disconnects.add(new Disconnect(clientId, preventWill, reason));
                    return CompletableFuture.completedFuture(true);
                },
                new DisconnectMetrics(registry),
                sendWill,
                Clock.systemUTC());
        return tracker;
    }

    @AfterEach
    void stop() {
        tracker.stop();
    }

    private static X509Certificate[] chain() {
        return new X509Certificate[] {
            TestCertificates.expiringAt("CN=admin:a1998e", Instant.now().plus(Duration.ofDays(30)))
        };
    }

    private void awaitDisconnects(final int count) throws InterruptedException {
        final long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        while (disconnects.size() < count && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void deadline_disconnects_the_connection_with_the_reason_and_without_its_will() throws Exception {
        tracker(Duration.ofMillis(200), false);
        final long generation = tracker.attempt("admin:a1998e/c1");
        tracker.authenticated("admin:a1998e/c1", generation, "admin:a1998e", chain());

        awaitDisconnects(1);

        assertThat(disconnects).singleElement().satisfies(d -> {
            assertThat(d.clientId()).isEqualTo("admin:a1998e/c1");
            assertThat(d.preventWill()).isTrue();
            assertThat(d.reason()).contains("maximum connection lifetime");
        });
        assertThat(registry.counter("dev.certguard.disconnect-extension.disconnected.lifetime")
                        .getCount())
                .isEqualTo(1);
        assertThat(tracker.tracked()).isZero();
    }

    @Test
    void will_is_sent_when_configured() throws Exception {
        tracker(Duration.ofMillis(100), true);
        tracker.authenticated("c", tracker.attempt("c"), "admin:a1998e", chain());

        awaitDisconnects(1);

        assertThat(disconnects.get(0).preventWill()).isFalse();
    }

    @Test
    void timer_of_an_earlier_connection_never_disconnects_a_later_one_with_the_same_client_id() throws Exception {
        tracker(Duration.ofMillis(300), false);
        final long first = tracker.attempt("same");
        final LifetimeTracker.Tracked earlier = tracker.authenticated("same", first, "admin:a1998e", chain());
        Thread.sleep(150);
        final long second = tracker.attempt("same");
        final LifetimeTracker.Tracked later = tracker.authenticated("same", second, "admin:a1998e", chain());

        Thread.sleep(250);
        assertThat(disconnects)
                .as("first deadline passed while the takeover was still in progress")
                .isEmpty();
        earlier.ended();
        awaitDisconnects(1);
        assertThat(disconnects)
                .as("the later connection still ends at its own deadline")
                .hasSize(1);
        later.ended();
    }

    @Test
    void connection_without_a_certificate_is_not_tracked() {
        tracker(Duration.ofMillis(100), false);

        final LifetimeTracker.Tracked connection = tracker.authenticated("plain", tracker.attempt("plain"), "", null);

        assertThat(connection.deadline()).isNull();
        assertThat(tracker.tracked()).isZero();
        connection.ended();
        assertThat(tracker.clientIds()).isZero();
    }

    @Test
    void nothing_is_retained_after_100000_connect_disconnect_cycles() {
        tracker(Duration.ofMinutes(30), false);
        final X509Certificate[] chain = chain();

        for (int i = 0; i < 100_000; i++) {
            final String clientId = "admin:d" + (i % 5000) + "/c";
            final long generation = tracker.attempt(clientId);
            if (i % 10 == 0) {
                tracker.attemptEnded(clientId, generation);
            } else {
                tracker.authenticated(clientId, generation, "admin:d", chain).ended();
            }
        }

        assertThat(tracker.tracked()).isZero();
        assertThat(tracker.queuedTimers()).isZero();
        assertThat(tracker.clientIds()).isZero();
        assertThat(registry.counter("dev.certguard.disconnect-extension.connections.scheduled")
                        .getCount())
                .isEqualTo(90_000);
    }

    @Test
    void stopping_cancels_every_timer() throws Exception {
        tracker(Duration.ofMillis(200), false);
        for (int i = 0; i < 100; i++) {
            tracker.authenticated("c" + i, tracker.attempt("c" + i), "admin:a1998e", chain());
        }

        tracker.stop();
        Thread.sleep(400);

        assertThat(disconnects).isEmpty();
        assertThat(tracker.queuedTimers()).isZero();
    }
}
