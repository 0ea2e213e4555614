package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
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
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The fleet audit's self-check revoked-still-connected: it finds a connection the state in force
 * excludes only when no sweep has cut it (a defect), never one whose cut is under way.
 */
class SelfCheckTest {

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

    private final java.util.concurrent.atomic.AtomicInteger repairs = new java.util.concurrent.atomic.AtomicInteger();
    private final SelfCheck check = new SelfCheck(
            live,
            repairs::incrementAndGet,
            new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()),
            registry,
            Clock.systemUTC());

    private void denyWithoutSweep(final String line) {
        runtime.updateAndGet(current -> {
            try {
                return current.withDenyList(DenyList.parse(List.of(line), "deny-list.txt"));
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private long gauge() {
        return ((Number) registry.getGauges()
                        .get("dev.certguard.audit.findings.revoked-still-connected")
                        .getValue())
                .longValue();
    }

    @Test
    void a_denied_connection_no_sweep_cut_is_found_at_the_second_check_and_a_sweep_is_queued() {
        connect("admin:a1998e", device("admin:a1998e", 1));
        connect("admin:other", device("admin:other", 2));
        assertThat(gauge()).as("registered at start").isZero();

        denyWithoutSweep("identity:admin:a1998e");
        check.run();
        assertThat(gauge()).as("one check: a sweep may be on its way").isZero();
        check.run();

        assertThat(gauge()).isEqualTo(1);
        assertThat(repairs).hasValue(1);
    }

    @SuppressWarnings("unchecked")
    private List<java.util.Map<String, Object>> listed() {
        return (List<java.util.Map<String, Object>>) registry.getGauges()
                .get("dev.certguard.audit.findings-list.revoked-still-connected")
                .getValue();
    }

    @Test
    void the_report_lists_each_connection_found_with_its_identity_fingerprint_and_checks_in_a_row() {
        final X509Certificate leaf = device("admin:a1998e", 4);
        connect("admin:a1998e", leaf);
        assertThat(listed()).isEmpty();
        denyWithoutSweep("identity:admin:a1998e");
        check.run();
        check.run();
        final Object first = listed().get(0).get("first_seen");

        check.run();

        assertThat(listed()).singleElement().satisfies(finding -> {
            assertThat(finding.get("check")).isEqualTo("revoked-still-connected");
            assertThat(finding.get("identity")).isEqualTo("admin:a1998e");
            assertThat(finding.get("certificate_sha256"))
                    .isEqualTo(dev.certguard.identity.CertificateIdentity.sha256Fingerprint(leaf));
            assertThat(finding.get("first_seen")).as("kept while found again").isEqualTo(first);
            assertThat(finding.get("count")).isEqualTo(2L);
            assertThat((String) finding.get("details")).contains("client id 'admin:a1998e'");
        });
    }

    @Test
    void a_connection_whose_cut_is_under_way_is_never_counted() {
        connect("admin:a1998e", device("admin:a1998e", 3));
        denyWithoutSweep("identity:admin:a1998e");
        live.sweep();

        check.run();
        check.run();

        assertThat(hivemq.disconnects()).hasSize(1);
        assertThat(gauge()).isZero();
        assertThat(repairs).hasValue(0);
    }
}
