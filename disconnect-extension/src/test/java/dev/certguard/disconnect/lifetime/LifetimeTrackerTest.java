package dev.certguard.disconnect.lifetime;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.disconnect.config.DisconnectConfig;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.MutableClock;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.SdkFakes;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifetimeTrackerTest {

    private final MutableClock clock = new MutableClock(Instant.parse("2026-11-24T10:00:00Z"));
    private final RecordingDisconnector hivemq = new RecordingDisconnector();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final MetricRegistry registry = new MetricRegistry();

    private LifetimeTracker tracker(final Duration lifetime, final boolean sendWill) {
        return new LifetimeTracker(
                new LifetimePolicy(new DisconnectConfig(lifetime, 0, true, sendWill, Set.of()), bound -> 0),
                new ConnectionCutter("disconnect-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 30),
                new DisconnectMetrics(registry),
                sendWill,
                clock);
    }

    private X509Certificate[] chain() {
        return new X509Certificate[] {
            TestCertificates.expiringAt("CN=admin:a1998e", clock.instant().plus(Duration.ofDays(30)))
        };
    }

    /** A connection as the shared listener hands it over: counted, then authenticated. */
    private Connection authenticated(final String clientId, final X509Certificate[] chain) {
        owners.connecting(clientId, null);
        owners.authenticated(clientId, null);
        return new Connection(clientId, chain);
    }

    @Test
    void deadline_disconnects_the_connection_with_reason_code_a0_and_without_its_will() {
        final LifetimeTracker tracker = tracker(Duration.ofSeconds(60), false);
        tracker.authenticated(authenticated("admin:a1998e/c1", chain()));

        clock.advance(Duration.ofSeconds(59));
        assertThat(tracker.fireDue()).as("nothing due before the lifetime").isZero();
        clock.advance(Duration.ofSeconds(1));
        tracker.fireDue();

        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> {
            assertThat(d.clientId()).isEqualTo("admin:a1998e/c1");
            assertThat(d.preventWill()).isTrue();
            assertThat(d.code()).isEqualTo(DisconnectReasonCode.MAXIMUM_CONNECT_TIME);
            assertThat(d.reason()).contains("maximum connection lifetime");
        });
        assertThat(registry.counter("dev.certguard.disconnect-extension.disconnected.lifetime")
                        .getCount())
                .isEqualTo(1);
        assertThat(tracker.tracked()).isZero();
    }

    /*
     * Clock steps (RELIABILITY.md, "Clock steps"): the wall clock (`clock`) jumps, the monotonic one
     * (`ticker`) does not.
     */
    private final java.util.concurrent.atomic.AtomicLong ticker = new java.util.concurrent.atomic.AtomicLong(5_000_000);

    private LifetimeTracker steppingTracker(final Duration lifetime) {
        return new LifetimeTracker(
                new LifetimePolicy(new DisconnectConfig(lifetime, 0, true, false, Set.of()), bound -> 0),
                new ConnectionCutter("disconnect-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 30),
                new DisconnectMetrics(registry),
                false,
                clock,
                ticker::get,
                new dev.certguard.audit.Audit("disconnect-extension", clock));
    }

    private void elapse(final Duration duration) {
        clock.advance(duration);
        ticker.addAndGet(duration.toMillis());
    }

    @Test
    void a_wall_clock_step_forward_of_an_hour_ends_no_connection_before_its_lifetime() {
        final LifetimeTracker tracker = steppingTracker(Duration.ofMinutes(30));
        for (int i = 0; i < 10; i++) {
            tracker.authenticated(authenticated("admin:a1998e/c" + i, chain()));
        }

        clock.advance(Duration.ofHours(1));
        assertThat(tracker.followWallClock())
                .as("no certificate expired by the new clock")
                .isZero();
        assertThat(tracker.fireDue()).isZero();
        elapse(Duration.ofMinutes(30));

        assertThat(tracker.fireDue()).isEqualTo(10);
    }

    @Test
    void a_wall_clock_step_back_of_an_hour_postpones_no_lifetime() {
        final LifetimeTracker tracker = steppingTracker(Duration.ofSeconds(60));
        tracker.authenticated(authenticated("admin:a1998e/c1", chain()));

        clock.advance(Duration.ofHours(-1));
        tracker.followWallClock();
        elapse(Duration.ofSeconds(60));

        assertThat(tracker.fireDue()).isEqualTo(1);
    }

    @Test
    void a_wall_clock_step_forward_past_a_certificates_expiry_ends_that_connection_at_once() {
        final LifetimeTracker tracker = steppingTracker(Duration.ofMinutes(30));
        final X509Certificate[] expiresSoon = {
            TestCertificates.expiringAt("CN=admin:soon", clock.instant().plus(Duration.ofMinutes(40)))
        };
        tracker.authenticated(authenticated("admin:soon", expiresSoon));
        tracker.authenticated(authenticated("admin:a1998e", chain()));

        clock.advance(Duration.ofHours(1));
        assertThat(tracker.followWallClock()).isEqualTo(1);
        tracker.fireDue();

        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> {
            assertThat(d.clientId()).isEqualTo("admin:soon");
            assertThat(d.reason()).contains("expires at");
        });
        assertThat(registry.counter("dev.certguard.disconnect-extension.disconnected.certificate-expiry")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void after_a_wall_clock_step_back_a_certificate_still_ends_no_later_than_its_expiry_in_elapsed_time() {
        final LifetimeTracker tracker = steppingTracker(Duration.ofHours(2));
        final X509Certificate[] expiresSoon = {
            TestCertificates.expiringAt("CN=admin:soon", clock.instant().plus(Duration.ofMinutes(10)))
        };
        tracker.authenticated(authenticated("admin:soon", expiresSoon));

        clock.advance(Duration.ofHours(-1));
        tracker.followWallClock();
        elapse(Duration.ofMinutes(9));
        assertThat(tracker.fireDue()).isZero();
        elapse(Duration.ofMinutes(1));

        assertThat(tracker.fireDue())
                .as("an early cut (a reconnect), never a late one")
                .isEqualTo(1);
    }

    @Test
    void will_is_sent_when_configured() {
        final LifetimeTracker tracker = tracker(Duration.ofSeconds(10), true);
        tracker.authenticated(authenticated("c", chain()));

        clock.advance(Duration.ofSeconds(10));
        tracker.fireDue();

        assertThat(hivemq.disconnects().get(0).preventWill()).isFalse();
    }

    @Test
    void deadline_of_an_earlier_connection_waits_while_a_later_one_takes_the_client_id_over() {
        final LifetimeTracker tracker = tracker(Duration.ofSeconds(30), false);
        final ConnectionInformation tls = SdkFakes.connection("tls", chain());
        final ConnectionListener<LifetimeTracker.Tracked> earlier = new ConnectionListener<>(owners, tracker);
        earlier.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("same", null), tls));
        earlier.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("same", tls));
        clock.advance(Duration.ofSeconds(15));
        final ConnectionListener<LifetimeTracker.Tracked> later = new ConnectionListener<>(owners, tracker);
        later.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("same", null), tls));
        later.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("same", tls));

        clock.advance(Duration.ofSeconds(15));
        tracker.fireDue();
        assertThat(hivemq.disconnects())
                .as("first deadline passed while two connections hold the client id")
                .isEmpty();
        earlier.onDisconnect(SdkFakes.disconnect("same", tls));
        scheduler.runAll();

        assertThat(hivemq.disconnects())
                .as("the earlier connection ended by itself: its cut gives up, nothing hits the later one")
                .isEmpty();
        clock.advance(Duration.ofSeconds(15));
        tracker.fireDue();
        assertThat(hivemq.disconnects())
                .as("the later connection still ends at its own deadline")
                .hasSize(1);
        later.onDisconnect(SdkFakes.disconnect("same", tls));
        assertThat(tracker.tracked()).isZero();
        assertThat(owners.clientIds()).isZero();
    }

    @Test
    void connection_without_a_certificate_is_not_tracked() {
        final LifetimeTracker tracker = tracker(Duration.ofSeconds(10), false);

        assertThat(tracker.authenticated(authenticated("plain", null))).isNull();
        assertThat(tracker.tracked()).isZero();
    }

    @Test
    void nothing_is_retained_after_100000_connect_disconnect_cycles() {
        final LifetimeTracker tracker = tracker(Duration.ofMinutes(30), false);
        final X509Certificate[] chain = chain();

        for (int i = 0; i < 100_000; i++) {
            final String clientId = "admin:d" + (i % 5000) + "/c";
            if (i % 10 == 0) {
                owners.connecting(clientId, null);
                owners.ended(clientId, false, null);
            } else {
                final Connection connection = authenticated(clientId, chain);
                tracker.ended(connection, tracker.authenticated(connection));
                owners.ended(clientId, true, null);
            }
        }

        assertThat(tracker.tracked()).isZero();
        assertThat(tracker.queuedDeadlines()).isZero();
        assertThat(owners.clientIds()).isZero();
        assertThat(registry.counter("dev.certguard.disconnect-extension.connections.scheduled")
                        .getCount())
                .isEqualTo(90_000);
    }

    @Test
    void stopping_cancels_every_deadline() {
        final LifetimeTracker tracker = tracker(Duration.ofSeconds(10), false);
        for (int i = 0; i < 100; i++) {
            tracker.authenticated(authenticated("c" + i, chain()));
        }

        tracker.stop();
        clock.advance(Duration.ofMinutes(1));
        tracker.fireDue();

        assertThat(hivemq.disconnects()).isEmpty();
        assertThat(tracker.queuedDeadlines()).isZero();
    }

    private static LifetimePolicy jittered(final Duration lifetime, final long draw) {
        return new LifetimePolicy(new DisconnectConfig(lifetime, 20, true, false, Set.of()), bound -> draw);
    }

    @Test
    void a_shorter_lifetime_brings_tracked_deadlines_forward_and_a_longer_one_never_postpones_them() {
        final LifetimeTracker tracker = tracker(Duration.ofSeconds(600), false);
        tracker.authenticated(authenticated("old", chain()));
        clock.advance(Duration.ofSeconds(100));

        assertThat(tracker.reconfigure(
                        new LifetimePolicy(
                                new DisconnectConfig(Duration.ofSeconds(3600), 0, true, false, Set.of()), b -> 0),
                        false))
                .as("a longer lifetime applies from the next CONNECT")
                .isZero();
        assertThat(tracker.reconfigure(
                        new LifetimePolicy(
                                new DisconnectConfig(Duration.ofSeconds(120), 0, true, false, Set.of()), b -> 0),
                        false))
                .isEqualTo(1);

        clock.advance(Duration.ofSeconds(19));
        assertThat(tracker.fireDue()).isZero();
        clock.advance(Duration.ofSeconds(1));
        assertThat(tracker.fireDue())
                .as("120 s after CONNECT, not 120 s after the reload")
                .isEqualTo(1);
        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> assertThat(d.reason())
                .contains("maximum connection lifetime of 120 s"));
        assertThat(tracker.tracked()).isZero();
        assertThat(tracker.queuedDeadlines()).isZero();
    }

    @Test
    void reloading_the_same_jittered_policy_moves_no_deadline() {
        final LifetimeTracker tracker = new LifetimeTracker(
                jittered(Duration.ofSeconds(1000), LifetimePolicy.JITTER_SCALE / 2),
                new ConnectionCutter("disconnect-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 30),
                new DisconnectMetrics(registry),
                false,
                clock);
        final LifetimeTracker.Tracked tracked = tracker.authenticated(authenticated("c", chain()));
        final Instant before = tracked.deadline().at();

        assertThat(tracker.reconfigure(jittered(Duration.ofSeconds(1000), 0), false))
                .as("the connection keeps its own jitter draw, whatever the new policy would draw")
                .isZero();
        assertThat(tracked.deadline().at()).isEqualTo(before);
        assertThat(before).isEqualTo(clock.instant().plusSeconds(1000 - 100));
    }

    @Test
    void a_connection_that_ends_is_never_left_scheduled_by_a_reload() {
        final LifetimeTracker tracker = tracker(Duration.ofSeconds(600), false);
        final Connection connection = authenticated("c", chain());
        final LifetimeTracker.Tracked tracked = tracker.authenticated(connection);
        tracker.ended(connection, tracked);

        tracker.reconfigure(
                new LifetimePolicy(new DisconnectConfig(Duration.ofSeconds(10), 0, true, false, Set.of()), b -> 0),
                false);

        assertThat(tracker.tracked()).isZero();
        assertThat(tracker.queuedDeadlines()).isZero();
    }

    @Test
    void removing_an_exemption_gives_connected_exempt_clients_a_deadline_from_their_connect() {
        final LifetimeTracker tracker = new LifetimeTracker(
                new LifetimePolicy(
                        new DisconnectConfig(Duration.ofSeconds(60), 0, false, false, Set.of("admin:a1998e")), b -> 0),
                new ConnectionCutter("disconnect-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 30),
                new DisconnectMetrics(registry),
                false,
                clock);
        tracker.authenticated(authenticated("exempt", chain()));
        clock.advance(Duration.ofSeconds(100));
        assertThat(tracker.fireDue()).isZero();

        assertThat(tracker.reconfigure(
                        new LifetimePolicy(
                                new DisconnectConfig(Duration.ofSeconds(60), 0, false, false, Set.of()), b -> 0),
                        false))
                .isEqualTo(1);
        assertThat(tracker.fireDue())
                .as("60 s after its CONNECT have passed: cut at once")
                .isEqualTo(1);
        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> assertThat(d.clientId())
                .isEqualTo("exempt"));
    }
}
