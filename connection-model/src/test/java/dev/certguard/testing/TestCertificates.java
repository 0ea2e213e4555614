package dev.certguard.testing;

import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** End-entity certificates for unit tests: a fresh EC key, valid for an hour, any subject. */
public final class TestCertificates {

    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private TestCertificates() {}

    /** A certificate for {@code subject} (an X.500 name such as {@code CN=admin:a1998e}). */
    public static X509Certificate certificate(final String subject) {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            final KeyPair keys = generator.generateKeyPair();
            final Instant now = Instant.now();
            return new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    new X500Name("CN=test ca"),
                                    BigInteger.valueOf(now.toEpochMilli()),
                                    Date.from(now.minusSeconds(60)),
                                    Date.from(now.plusSeconds(3600)),
                                    new X500Name(subject),
                                    keys.getPublic())
                            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * A self-signed-by-itself-style certificate for {@code subject} holding {@code subjectKey}, signed
     * by {@code signer} with {@code algorithm} (e.g. {@code SHA1withRSA}, {@code MD5withRSA}).
     */
    public static X509Certificate certificate(
            final String subject, final PublicKey subjectKey, final PrivateKey signer, final String algorithm) {
        try {
            final Instant now = Instant.now();
            return new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    new X500Name("CN=test ca"),
                                    BigInteger.valueOf(now.toEpochMilli()),
                                    Date.from(now.minusSeconds(60)),
                                    Date.from(now.plusSeconds(3600)),
                                    new X500Name(subject),
                                    subjectKey)
                            .build(new JcaContentSignerBuilder(algorithm)
                                    .setProvider(BC)
                                    .build(signer)));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** The same certificate as another object, as each TLS handshake parses it anew. */
    public static X509Certificate reparsed(final X509Certificate certificate) {
        try {
            return (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(certificate.getEncoded()));
        } catch (final CertificateException e) {
            throw new IllegalStateException(e);
        }
    }
}
