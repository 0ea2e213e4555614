package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.SdkFakes;
import dev.certguard.testing.TestCertificates;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The operator's deny list applied to live connections, and the session purge that follows a cut. */
class LiveDenyListTest {

    private static final TestCa CA = TestCa.ec("CN=deny test ca");

    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final RecordingDisconnector hivemq = new RecordingDisconnector();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final List<String> purged = new CopyOnWriteArrayList<>();
    private final MetricRegistry registry = new MetricRegistry();
    private final AtomicReference<CrlRuntime> runtime = new AtomicReference<>(
            CrlRuntimes.of(List.of(CA.certificate), CrlConfig.WhenUnavailable.ALLOW, DenyList.EMPTY));
    private final LiveRevocation live = new LiveRevocation(
            new ConnectionCutter("crl-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 30, clientId -> {
                purged.add(clientId);
                return CompletableFuture.completedFuture(true);
            }),
            runtime::get,
            new RevocationState()::snapshot,
            new CrlMetrics(registry, Clock.systemUTC()),
            Clock.systemUTC(),
            new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()));

    private static X509Certificate device(final String cn, final long serial) {
        return TestCa.issue(
                CA.certificate, CA.keys, "CN=" + cn, TestCa.ec("CN=k").keys.getPublic(), serial, false);
    }

    /** A connection through the shared listener, as HiveMQ reports it, and the certificate it presented. */
    private record Connected(ConnectionListener<LiveRevocation.Live> listener, X509Certificate leaf) {
        void onDisconnect(final com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput input) {
            listener.onDisconnect(input);
        }
    }

    private Connected connect(final String clientId, final X509Certificate leaf) {
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {leaf});
        final var listener = new ConnectionListener<>(owners, live);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect(clientId, null), connection));
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful(clientId, connection));
        return new Connected(listener, leaf);
    }

    private void deny(final String... lines) throws Exception {
        runtime.updateAndGet(current -> {
            try {
                return current.withDenyList(DenyList.parse(List.of(lines), "deny-list.txt"));
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
        live.sweep();
    }

    @Test
    void denying_an_identity_cuts_its_connections_with_0x87_and_removes_their_sessions_once_they_are_gone()
            throws Exception {
        final X509Certificate denied = device("admin:a1998e", 1);
        final var first = connect("admin:a1998e", denied);
        connect("admin:a1998e/sub", device("admin:a1998e", 2));
        connect("admin:other", device("admin:other", 3));

        deny("identity:admin:a1998e");

        assertThat(hivemq.disconnects())
                .extracting(RecordingDisconnector.Disconnect::clientId)
                .containsExactlyInAnyOrder("admin:a1998e", "admin:a1998e/sub");
        assertThat(hivemq.disconnects()).allSatisfy(d -> {
            assertThat(d.code()).isEqualTo(DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(d.reason()).isEqualTo("certificate denied by operator");
            assertThat(d.preventWill()).isTrue();
        });
        assertThat(purged)
                .as("nothing is purged while HiveMQ still holds the connection")
                .isEmpty();

        first.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();

        assertThat(purged).containsExactly("admin:a1998e");
        assertThat(registry.counter("dev.certguard.crl-extension.deny-list.disconnects")
                        .getCount())
                .isEqualTo(2);
    }

    @Test
    void a_session_taken_over_by_another_connection_after_the_cut_is_not_purged() throws Exception {
        final var victim = connect("admin:a1998e", device("admin:a1998e", 4));

        deny("sha256:" + dev.certguard.identity.CertificateIdentity.sha256Fingerprint(device("admin:x", 5)));
        assertThat(hivemq.disconnects())
                .as("another certificate's fingerprint denies nobody here")
                .isEmpty();
        deny("sha256:" + dev.certguard.identity.CertificateIdentity.sha256Fingerprint(victim.leaf));
        assertThat(hivemq.disconnects()).hasSize(1);

        final X509Certificate reissued = device("admin:a1998e", 6);
        owners.connecting("admin:a1998e", reissued); // the device's new certificate reconnects at once
        owners.authenticated("admin:a1998e", reissued);
        victim.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();

        assertThat(purged).isEmpty();
    }

    @Test
    void the_cut_devices_own_reconnects_neither_postpone_its_cut_nor_save_its_session() throws Exception {
        final var victim = connect("admin:a1998e", device("admin:a1998e", 7));
        // The device keeps reconnecting with its client id; HiveMQ hands each CONNECT a freshly parsed copy.
        owners.connecting("admin:a1998e", TestCertificates.reparsed(victim.leaf));
        owners.connecting("admin:a1998e", TestCertificates.reparsed(victim.leaf));

        deny("identity:admin:a1998e");
        assertThat(hivemq.disconnects())
                .as("cut at once, whichever of its connections HiveMQ finds by the client id")
                .hasSize(1);

        victim.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();
        assertThat(purged)
                .as("while its refused CONNECTs are still being decided")
                .containsExactly("admin:a1998e");
    }

    @Test
    void a_connect_with_another_certificate_holds_the_purge_until_it_is_decided() throws Exception {
        final var victim = connect("admin:a1998e", device("admin:a1998e", 8));
        deny("sha256:" + dev.certguard.identity.CertificateIdentity.sha256Fingerprint(victim.leaf));

        final X509Certificate reissued = device("admin:a1998e", 9);
        owners.connecting("admin:a1998e", reissued);
        victim.onDisconnect(SdkFakes.disconnect("admin:a1998e", SdkFakes.connection("tls", null)));
        scheduler.runAll();
        assertThat(purged)
                .as("not while the re-issued device may still take the session over")
                .isEmpty();
        owners.ended("admin:a1998e", false, reissued); // refused after all
        scheduler.runAll();

        assertThat(purged).containsExactly("admin:a1998e");
    }

    @Test
    void a_certificate_denied_before_its_connection_was_tracked_is_cut_when_tracking_starts() throws Exception {
        deny("identity:admin:late");

        connect("admin:late", device("admin:late", 6));

        assertThat(hivemq.disconnects()).singleElement().satisfies(d -> assertThat(d.reason())
                .isEqualTo("certificate denied by operator"));
    }
}
