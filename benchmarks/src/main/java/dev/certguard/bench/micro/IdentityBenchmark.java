package dev.certguard.bench.micro;

import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.pki.CertificateAuthority;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** What identifying a device costs at CONNECT: CN extraction, validation, fingerprint. */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class IdentityBenchmark {

    private X509Certificate certificate;

    @Setup
    public void setUp() {
        final CertificateAuthority ca =
                CertificateAuthority.createRoot("bench CA", Instant.now().plusSeconds(3600));
        final KeyPair keys = CertificateAuthority.newKeyPair();
        certificate = ca.issue(
                "admin:a1998e",
                keys.getPublic(),
                Instant.now(),
                Instant.now().plusSeconds(3600),
                CertificateAuthority.Purpose.CLIENT,
                List.of());
    }

    @Benchmark
    public DeviceIdentity parseValidIdentity() throws InvalidIdentityException {
        return DeviceIdentity.parse("admin:a1998e");
    }

    @Benchmark
    public String rejectHostileIdentity() {
        try {
            return DeviceIdentity.parse("admin:a1998e/#").toString();
        } catch (final InvalidIdentityException e) {
            return e.reason();
        }
    }

    @Benchmark
    public DeviceIdentity commonNameAndParse() throws InvalidIdentityException {
        return DeviceIdentity.parse(CertificateIdentity.commonName(certificate));
    }

    @Benchmark
    public String sha256Fingerprint() {
        return CertificateIdentity.sha256Fingerprint(certificate);
    }
}
