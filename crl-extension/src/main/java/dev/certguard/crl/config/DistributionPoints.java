package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.path.CertificatePoints;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The HTTP(S) URIs named in a certificate's CRL Distribution Points extension: full names of direct
 * distribution points only (LDAP, relative names and a {@code cRLIssuer}'s names are skipped).
 * Stateless; thread-safe.
 */
final class DistributionPoints {

    private DistributionPoints() {}

    static @NotNull List<URI> httpUris(final @NotNull X509Certificate certificate) {
        return CertificatePoints.of(certificate).fetchable();
    }
}
