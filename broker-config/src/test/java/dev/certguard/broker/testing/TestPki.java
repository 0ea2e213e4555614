package dev.certguard.broker.testing;

import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.DevPki;
import dev.certguard.pki.KeyType;
import dev.certguard.pki.PemFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;

/**
 * A PKI made fresh for one test class: the dev PKI layout (CA, CRL, broker keystore and truststore
 * for localhost) plus certificates with whatever subject a test needs. Thread-safe for issuing.
 */
public final class TestPki {

    private final DevPki pki;
    private final CertificateAuthority ca;
    private final AtomicInteger counter = new AtomicInteger();

    private TestPki(final DevPki pki, final CertificateAuthority ca) {
        this.pki = pki;
        this.ca = ca;
    }

    public static TestPki create(final Path dir) {
        return create(dir, KeyType.P256);
    }

    /** A test PKI whose CA and broker keys are of {@code keyType} (devices stay P-256). */
    public static TestPki create(final Path dir, final KeyType keyType) {
        try {
            final DevPki pki = new DevPki(dir);
            pki.init(
                    new DevPki.Init("certguard test CA", null, keyType, Duration.ofDays(2), DevPki.LOCAL_HOSTS, false));
            return new TestPki(pki, pki.authority());
        } catch (final Exception e) {
            throw new IllegalStateException("cannot create test PKI", e);
        }
    }

    public DevPki devPki() {
        return pki;
    }

    public CertificateAuthority authority() {
        return ca;
    }

    /** A client certificate whose subject is a single CN. */
    public Credentials client(final String commonName) {
        return client(commonName, Duration.ofHours(1));
    }

    public Credentials client(final String commonName, final Duration validity) {
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        return write(
                keys,
                ca.issue(
                        commonName,
                        keys.getPublic(),
                        now.minusSeconds(60),
                        now.plus(validity),
                        CertificateAuthority.Purpose.CLIENT,
                        List.of()));
    }

    /** A client certificate whose CRL Distribution Points name {@code crlDistributionPoint} (its partition). */
    public Credentials clientAt(final String commonName, final java.net.URI crlDistributionPoint) {
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        return write(
                keys,
                ca.issue(
                        new X500Name("CN=" + commonName),
                        keys.getPublic(),
                        now.minusSeconds(60),
                        now.plus(Duration.ofHours(1)),
                        CertificateAuthority.Purpose.CLIENT,
                        null,
                        crlDistributionPoint));
    }

    /** A client certificate with an arbitrary subject, e.g. {@code "CN=a:b,CN=c"} or {@code "O=x"}. */
    public Credentials clientWithSubject(final String subject) {
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        return write(
                keys,
                ca.issue(
                        new X500Name(subject),
                        keys.getPublic(),
                        now.minusSeconds(60),
                        now.plus(Duration.ofHours(1)),
                        CertificateAuthority.Purpose.CLIENT,
                        List.of()));
    }

    /** A client certificate from a CA the broker does not trust. */
    public Credentials untrustedClient(final String commonName) {
        final CertificateAuthority stranger =
                CertificateAuthority.createRoot("stranger CA", Instant.now().plus(Duration.ofDays(1)));
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        return write(
                keys,
                stranger.issue(
                        commonName,
                        keys.getPublic(),
                        now.minusSeconds(60),
                        now.plus(Duration.ofHours(1)),
                        CertificateAuthority.Purpose.CLIENT,
                        List.of()));
    }

    /** A client certificate issued by an intermediate CA, presented with that intermediate. */
    public Credentials clientUnder(final CertificateAuthority intermediate, final String commonName) {
        return issuedBy(
                intermediate, commonName, CertificateAuthority.Purpose.CLIENT, List.of(intermediate.certificate()));
    }

    /**
     * A certificate with a single CN from any CA, for any purpose (a {@code CA} one is a CA:TRUE
     * certificate), presenting exactly {@code presented} after it: the client decides what it sends.
     */
    public Credentials issuedBy(
            final CertificateAuthority issuer,
            final String commonName,
            final CertificateAuthority.Purpose purpose,
            final List<X509Certificate> presented) {
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final Instant now = Instant.now();
        final Credentials leaf = write(
                keys,
                issuer.issue(
                        commonName,
                        keys.getPublic(),
                        now.minusSeconds(60),
                        now.plus(Duration.ofHours(1)),
                        purpose,
                        List.of()));
        return leaf.presenting(presented);
    }

    /** Credentials for a certificate a test built itself for {@code keys}. */
    public Credentials withCertificate(final KeyPair keys, final X509Certificate certificate) {
        return write(keys, certificate);
    }

    private Credentials write(final KeyPair keys, final X509Certificate certificate) {
        final int n = counter.incrementAndGet();
        final Path certificateFile = pki.dir().resolve("clients").resolve(n + ".crt");
        final Path keyFile = pki.dir().resolve("clients").resolve(n + ".key");
        try {
            PemFiles.writeCertificates(certificateFile, true, certificate);
            PemFiles.writePrivateKey(keyFile, true, keys.getPrivate());
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Credentials(
                certificate,
                keys.getPrivate(),
                certificateFile,
                keyFile,
                pki.caCertificate(),
                ca.certificate(),
                List.of());
    }

    /** Writes an empty CRL of {@code ca}, valid for an hour, as PEM and DER. */
    public static void writeEmptyCrl(final CertificateAuthority ca, final Path pem, final Path der) throws Exception {
        PemFiles.writeCrl(
                pem,
                der,
                ca.crl(
                        List.of(),
                        java.math.BigInteger.ONE,
                        Instant.now().minusSeconds(5),
                        Instant.now().plus(Duration.ofHours(1))));
    }
}
