package dev.certguard.pki;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;

final class DevPkiTestSupport {

    private DevPkiTestSupport() {}

    static X509CRL crl(final Path der) throws Exception {
        return (X509CRL) CertificateFactory.getInstance("X.509").generateCRL(Files.newInputStream(der));
    }

    static long number(final X509CRL crl) {
        final byte[] extension = crl.getExtensionValue(Extension.cRLNumber.getId());
        return ASN1Integer.getInstance(ASN1OctetString.getInstance(extension).getOctets())
                .getValue()
                .longValueExact();
    }
}
