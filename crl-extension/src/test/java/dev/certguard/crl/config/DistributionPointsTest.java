package dev.certguard.crl.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class DistributionPointsTest {

    @Test
    void http_distribution_points_are_discovered_and_ldap_ones_skipped() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        final KeyPair keys = generator.generateKeyPair();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                new X500Name("CN=root"),
                BigInteger.ONE,
                Date.from(Instant.now()),
                Date.from(Instant.now().plusSeconds(60)),
                new X500Name("CN=IOTmidCA"),
                keys.getPublic());
        builder.addExtension(Extension.cRLDistributionPoints, false, new CRLDistPoint(new DistributionPoint[] {
            new DistributionPoint(
                    new DistributionPointName(new GeneralNames(new GeneralName[] {
                        new GeneralName(GeneralName.uniformResourceIdentifier, "ldap://dir.example.org/cn=IOTmidCA"),
                        new GeneralName(
                                GeneralName.uniformResourceIdentifier, "http://pki.example.org/crl/IOTmidCA.crl")
                    })),
                    null,
                    null)
        }));
        final X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));

        assertThat(DistributionPoints.httpUris(certificate))
                .extracting(Object::toString)
                .containsExactly("http://pki.example.org/crl/IOTmidCA.crl");
    }
}
