package dev.certguard.bench.micro;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.disconnect.config.DisconnectConfig;
import dev.certguard.disconnect.lifetime.DisconnectMetrics;
import dev.certguard.disconnect.lifetime.LifetimePolicy;
import dev.certguard.disconnect.lifetime.LifetimeTracker;
import dev.certguard.pki.CertificateAuthority;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** Scheduling then cancelling 100,000 connection lifetimes, as a connect storm followed by a disconnect storm. */
@State(Scope.Benchmark)
public class LifetimeTimerBenchmark {

    static final int CONNECTIONS = 100_000;

    private LifetimeTracker tracker;
    private X509Certificate[] chain;
    private String[] clientIds;
    private LifetimeTracker.Tracked[] tracked;
    private Connection[] connections;

    @Setup
    public void setUp() {
        tracker = tracker();
        chain = chain();
        clientIds = new String[CONNECTIONS];
        for (int i = 0; i < CONNECTIONS; i++) {
            clientIds[i] = "admin:d" + i + "/mosq-" + i;
        }
        tracked = new LifetimeTracker.Tracked[CONNECTIONS];
        connections = new Connection[CONNECTIONS];
    }

    /** The ownership counts the tracker's cutter reads; benchmarks add and remove connections here too. */
    static final ClientIdOwnership OWNERS = ClientIdOwnership.withoutCertificates();

    static LifetimeTracker tracker() {
        return new LifetimeTracker(
                new LifetimePolicy(
                        new DisconnectConfig(Duration.ofMinutes(30), 10, true, false, Set.of()),
                        bound ->
                                java.util.concurrent.ThreadLocalRandom.current().nextLong(bound)),
                new ConnectionCutter(
                        "disconnect-extension",
                        OWNERS,
                        (clientId, preventWill, code, reason) -> CompletableFuture.completedFuture(true),
                        (task, delay) -> {},
                        Duration.ofSeconds(1),
                        30),
                new DisconnectMetrics(new MetricRegistry()),
                false,
                Clock.systemUTC());
    }

    /** What the shared connection listener does when a connection authenticates. */
    static Connection connect(final String clientId, final X509Certificate[] chain) {
        OWNERS.connecting(clientId, null);
        OWNERS.authenticated(clientId, null);
        return new Connection(clientId, chain);
    }

    static X509Certificate[] chain() {
        final CertificateAuthority ca =
                CertificateAuthority.createRoot("bench CA", Instant.now().plusSeconds(86400));
        return new X509Certificate[] {
            ca.issue(
                    "admin:a1998e",
                    CertificateAuthority.newKeyPair().getPublic(),
                    Instant.now(),
                    Instant.now().plusSeconds(86400),
                    CertificateAuthority.Purpose.CLIENT,
                    List.of())
        };
    }

    @TearDown
    public void tearDown() {
        tracker.stop();
    }

    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    @OperationsPerInvocation(CONNECTIONS)
    public int scheduleAndCancel100kLifetimes() {
        for (int i = 0; i < CONNECTIONS; i++) {
            connections[i] = connect(clientIds[i], chain);
            tracked[i] = tracker.authenticated(connections[i]);
        }
        for (int i = 0; i < CONNECTIONS; i++) {
            tracker.ended(connections[i], tracked[i]);
            OWNERS.ended(clientIds[i], true, null);
        }
        return tracker.tracked();
    }
}
