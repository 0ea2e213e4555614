package dev.certguard.bench.micro;

import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.state.RevocationSnapshot;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.pki.CertificateAuthority;
import java.math.BigInteger;
import java.net.URI;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLNumber;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.cert.X509v2CRLBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
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
 * The CONNECT path's revocation check of a device whose CA publishes {@code partitions} partitioned
 * CRLs (0: one complete CRL, as before partitions), all loaded: the check finds the partitions that
 * cover a certificate by its distribution point names, so its time must not grow with their number;
 * and the time to put every partition in use from scratch, as at a restart.
 */
@State(Scope.Benchmark)
public class PartitionBenchmark {

    private static final String URL = "http://crl.example.com/ca-1/crl/";
    private static final int DEVICES = 256;
    private static final int REVOKED_PER_PARTITION = 16;

    @Param({"0", "1", "100", "10000"})
    public int partitions;

    private CertificateAuthority ca;
    private Authorities authorities;
    private List<VerifiedCrl> crls;
    private RevocationSnapshot snapshot;
    private CertificatePath[] paths;
    private Instant now;
    private int next;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        ca = CertificateAuthority.createRoot("partitioned CA", Instant.now().plusSeconds(86400));
        authorities = new Authorities(List.of(ca.certificate()), 100_000);
        final CrlVerifier verifier = new CrlVerifier(List.of(ca.certificate()), Duration.ZERO);
        final Random random = new Random(7);
        crls = new ArrayList<>();
        long serial = 1_000_000;
        for (int p = 0; p < Math.max(1, partitions); p++) {
            final BigInteger[] revoked = new BigInteger[REVOKED_PER_PARTITION];
            for (int i = 0; i < revoked.length; i++) {
                revoked[i] = BigInteger.valueOf(serial++);
            }
            crls.add(verifier.verify(
                    ParsedCrl.parse(crl(partitions == 0 ? null : URL + p + ".crl", revoked)), "bench", Instant.now()));
        }
        snapshot = install().snapshot();
        final KeyPair keys = CertificateAuthority.newKeyPair();
        paths = new CertificatePath[DEVICES];
        for (int d = 0; d < DEVICES; d++) {
            final URI point = partitions == 0 ? null : URI.create(URL + random.nextInt(partitions) + ".crl");
            final X509Certificate device = ca.issue(
                    new X500Name("CN=acme:d" + d),
                    keys.getPublic(),
                    Instant.now().minusSeconds(60),
                    Instant.now().plusSeconds(3600),
                    CertificateAuthority.Purpose.CLIENT,
                    null,
                    point);
            paths[d] = authorities.path(device);
        }
        now = Instant.now();
    }

    private byte[] crl(final String partition, final BigInteger[] revoked) throws Exception {
        final X509v2CRLBuilder builder = new X509v2CRLBuilder(
                X500Name.getInstance(ca.certificate().getSubjectX500Principal().getEncoded()),
                Date.from(Instant.now().minusSeconds(60)));
        builder.setNextUpdate(Date.from(Instant.now().plusSeconds(86400)));
        builder.addExtension(Extension.cRLNumber, false, new CRLNumber(BigInteger.ONE));
        if (partition != null) {
            builder.addExtension(
                    Extension.issuingDistributionPoint,
                    true,
                    new IssuingDistributionPoint(
                            new DistributionPointName(new GeneralNames(
                                    new GeneralName(GeneralName.uniformResourceIdentifier, partition))),
                            true,
                            false,
                            null,
                            false,
                            false));
        }
        for (final BigInteger serial : revoked) {
            builder.addCRLEntry(serial, new Date(), 0);
        }
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(ca.privateKey()))
                .getEncoded();
    }

    private RevocationState install() throws Exception {
        final RevocationState state = new RevocationState();
        for (final VerifiedCrl crl : crls) {
            state.install(crl);
        }
        return state;
    }

    /** One CONNECT's revocation check of a device (its path: the device and its CA). */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.NANOSECONDS)
    public RevocationSnapshot.Status checkDevice() {
        return snapshot.check(paths[next++ & (DEVICES - 1)], now, Duration.ZERO);
    }

    /** Putting every partition in use from nothing, one after another, as a restart does. */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    public RevocationState installEveryPartition() throws Exception {
        return install();
    }
}
