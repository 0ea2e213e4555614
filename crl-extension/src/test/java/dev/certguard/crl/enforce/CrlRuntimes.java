package dev.certguard.crl.enforce;

import dev.certguard.crl.config.ClientDistributionPoints;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.config.OcspConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.path.Authorities;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Runtimes for unit tests: the given CAs, one CRL file, a deny list, sessions purged on revocation. */
final class CrlRuntimes {

    private CrlRuntimes() {}

    static CrlRuntime of(
            final List<X509Certificate> cas, final CrlConfig.WhenUnavailable whenUnavailable, final DenyList deny) {
        return new CrlRuntime(
                config(cas, whenUnavailable, deny, true, OcspConfig.DISABLED), new Authorities(cas, 100), deny);
    }

    /** With OCSP on, answered by {@code statuses}; no session purge. */
    static CrlRuntime withOcsp(
            final List<X509Certificate> cas,
            final CrlConfig.WhenUnavailable whenUnavailable,
            final OcspConfig ocsp,
            final OcspStatuses statuses) {
        return new CrlRuntime(
                config(cas, whenUnavailable, DenyList.EMPTY, false, ocsp),
                new Authorities(cas, 100),
                DenyList.EMPTY,
                statuses);
    }

    /** With discovery of client distribution points on, downloads bounded by {@code httpTimeout}; no CRL file. */
    static CrlRuntime withDiscovery(
            final List<X509Certificate> cas,
            final CrlConfig.WhenUnavailable whenUnavailable,
            final ClientDistributionPoints points,
            final Duration httpTimeout) {
        return new CrlRuntime(
                new CrlConfig(
                        cas,
                        List.of(),
                        List.of(),
                        Duration.ofMinutes(5),
                        httpTimeout,
                        1 << 20,
                        whenUnavailable,
                        Duration.ZERO,
                        true,
                        Map.of(),
                        Duration.ofHours(12),
                        null,
                        DenyList.EMPTY,
                        true,
                        OcspConfig.DISABLED,
                        points),
                new Authorities(cas, 100),
                DenyList.EMPTY);
    }

    private static CrlConfig config(
            final List<X509Certificate> cas,
            final CrlConfig.WhenUnavailable whenUnavailable,
            final DenyList deny,
            final boolean purge,
            final OcspConfig ocsp) {
        return new CrlConfig(
                cas,
                List.of(Path.of("crl.der")),
                List.of(),
                Duration.ofMinutes(5),
                Duration.ofSeconds(5),
                1 << 20,
                whenUnavailable,
                Duration.ZERO,
                true,
                Map.of(),
                Duration.ofHours(12),
                null,
                deny,
                purge,
                ocsp);
    }
}
