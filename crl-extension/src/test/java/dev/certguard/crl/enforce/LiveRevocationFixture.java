package dev.certguard.crl.enforce;

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

/**
 * What the live-revocation tests share: a crl-extension LiveRevocation over a test CA with no CRL in
 * force (when-unavailable allow), HiveMQ's disconnects recorded, the schedule run by hand, and
 * connections arriving through the shared connection listener as HiveMQ reports them.
 */
abstract class LiveRevocationFixture {

    static final TestCa CA = TestCa.ec("CN=deny test ca");

    final ClientIdOwnership owners = new ClientIdOwnership();
    final RecordingDisconnector hivemq = new RecordingDisconnector();
    final ManualScheduler scheduler = new ManualScheduler();
    final List<String> purged = new CopyOnWriteArrayList<>();
    final MetricRegistry registry = new MetricRegistry();
    final AtomicReference<CrlRuntime> runtime = new AtomicReference<>(
            CrlRuntimes.of(List.of(CA.certificate), CrlConfig.WhenUnavailable.ALLOW, DenyList.EMPTY));
    final LiveRevocation live = new LiveRevocation(
            new ConnectionCutter("crl-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 30, clientId -> {
                purged.add(clientId);
                return CompletableFuture.completedFuture(true);
            }),
            runtime::get,
            new RevocationState()::snapshot,
            new CrlMetrics(registry, Clock.systemUTC()),
            Clock.systemUTC(),
            new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()));

    static X509Certificate device(final String cn, final long serial) {
        return TestCa.issue(
                CA.certificate, CA.keys, "CN=" + cn, TestCa.ec("CN=k").keys.getPublic(), serial, false);
    }

    /** A connection through the shared listener, as HiveMQ reports it, and the certificate it presented. */
    record Connected(ConnectionListener<LiveRevocation.Live> listener, X509Certificate leaf) {
        void onDisconnect(final com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput input) {
            listener.onDisconnect(input);
        }
    }

    Connected connect(final String clientId, final X509Certificate leaf) {
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {leaf});
        final var listener = new ConnectionListener<>(owners, live);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect(clientId, null), connection));
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful(clientId, connection));
        return new Connected(listener, leaf);
    }
}
