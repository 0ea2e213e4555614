package dev.certguard.disconnect.lifetime;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

final class TestCertificates {

    private static final KeyPair KEYS;

    static {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(256);
            KEYS = generator.generateKeyPair();
        } catch (final Exception e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private TestCertificates() {}

    static X509Certificate expiringAt(final String subject, final Instant notAfter) {
        try {
            return new JcaX509CertificateConverter()
                    .getCertificate(new JcaX509v3CertificateBuilder(
                                    new X500Name("CN=ca"),
                                    BigInteger.ONE,
                                    Date.from(notAfter.minusSeconds(86400 * 400L)),
                                    Date.from(notAfter),
                                    new X500Name(subject),
                                    KEYS.getPublic())
                            .build(new JcaContentSignerBuilder("SHA256withECDSA").build(KEYS.getPrivate())));
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
