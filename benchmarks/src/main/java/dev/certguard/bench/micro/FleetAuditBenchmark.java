package dev.certguard.bench.micro;

import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.acl.fleet.FleetCensus;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.KeyType;
import java.net.InetAddress;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What acl-extension's fleet audit adds to one CONNECT, all of it, with {@code enabled} true and
 * false (off, the census and the shared-certificate index still follow connections): the key judgement in the authenticator (RSA size and the ROCA test, curve, signature
 * algorithm), the shared-certificate check, and the connection's arrival in and departure from the
 * census and the shared-certificate index (two SHA-256 fingerprints), over 1,024 devices with
 * distinct certificates of {@code keyType}, each connecting from its own address while 100,000 other
 * certificates are connected. Divided by the broker CPU of a CONNECT ({@code connect}), it is the
 * audit's share of the CONNECT path, a figure wave-to-wave noise cannot move.
 */
@State(Scope.Benchmark)
public class FleetAuditBenchmark {

    private static final int DEVICES = 1024;
    private static final int CONNECTED = 100_000;

    @Param({"p256", "rsa2048"})
    public String keyType;

    @Param({"true", "false"})
    public boolean enabled;

    private FleetAudit audit;
    private FleetAuditConfig config;
    private ConnectionObserver<Object> observer;
    private X509Certificate[] certificates;
    private String[] fingerprints;
    private String[] identities;
    private InetAddress[] addresses;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        final CertificateAuthority ca =
                CertificateAuthority.createRoot("audit bench CA", Instant.now().plusSeconds(86400));
        final Clock clock = Clock.systemUTC();
        config = new FleetAuditConfig(enabled, FleetAuditConfig.Action.REFUSE, 2048, 365);
        audit = new FleetAudit(clock, new Audit("acl-extension", clock), new FleetCensus(), () -> config, c -> {});
        observer = audit.observing(new ConnectionObserver<>() {
            @Override
            public Object authenticated(final Connection connection) {
                return Boolean.TRUE;
            }

            @Override
            public void ended(final Connection connection, final Object record) {}
        });
        final KeyType type = KeyType.parse(keyType);
        final KeyPair shared = type.generate();
        // The connected fleet the lookups run against (one key, distinct certificates).
        final KeyPair fleetKey = CertificateAuthority.newKeyPair();
        for (int i = 0; i < CONNECTED; i++) {
            final X509Certificate device = issue(ca, "fleet:d" + i, fleetKey);
            observer.authenticated(new Connection(
                    "fleet:d" + i, new X509Certificate[] {device}, "tls", InetAddress.getByAddress(new byte[] {
                        10, (byte) (i >> 16), (byte) (i >> 8), (byte) i
                    })));
        }
        certificates = new X509Certificate[DEVICES];
        fingerprints = new String[DEVICES];
        identities = new String[DEVICES];
        addresses = new InetAddress[DEVICES];
        for (int d = 0; d < DEVICES; d++) {
            identities[d] = "acme:d" + d;
            certificates[d] = issue(ca, identities[d], shared);
            fingerprints[d] = CertificateIdentity.sha256Fingerprint(certificates[d]);
            addresses[d] = InetAddress.getByAddress(new byte[] {127, 0, (byte) (d >> 8), (byte) d});
        }
    }

    private static X509Certificate issue(final CertificateAuthority ca, final String name, final KeyPair keys) {
        return ca.issue(
                new X500Name("CN=" + name),
                keys.getPublic(),
                Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(86400 * 90L),
                CertificateAuthority.Purpose.CLIENT,
                null,
                (java.net.URI) null);
    }

    /** One device's CONNECT through the audit: judged, admitted, connected, then gone. */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public Object connectThroughTheAudit() {
        final int d = next++ & (DEVICES - 1);
        // As the authenticator calls them: each returns at once when the audit is off.
        final Object weakness = audit.connecting(config, identities[d], certificates[d], fingerprints[d]);
        audit.sharing(config, identities[d], fingerprints[d], identities[d], addresses[d]);
        final Connection connection =
                new Connection(identities[d], new X509Certificate[] {certificates[d]}, "tls", addresses[d]);
        final Object record = observer.authenticated(connection);
        observer.ended(connection, record);
        return weakness == null ? record : weakness;
    }
}
