package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.deny.DenyList;
import java.net.URI;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * The validated crl-extension configuration, with certificates already loaded. Immutable; thread-safe.
 */
public final class CrlConfig {

    /** What to do when no current CRL exists for a certificate's issuer. */
    public enum WhenUnavailable {
        REJECT,
        ALLOW
    }

    private final @NotNull List<X509Certificate> caCertificates;
    private final @NotNull List<Path> fileSources;
    private final @NotNull List<URI> httpSources;
    private final @NotNull Duration refreshInterval;
    private final @NotNull Duration httpTimeout;
    private final long maxCrlBytes;
    private final @NotNull WhenUnavailable whenUnavailable;
    private final @NotNull Duration gracePeriod;
    private final boolean disconnectRevokedClients;
    private final @NotNull Map<String, X509Certificate> watchCertificates;
    private final @NotNull Duration warnBeforeExpiry;
    private final @Nullable Path denyListFile;
    private final @NotNull DenyList denyList;
    private final boolean purgeSessionOnRevocation;
    private final @NotNull OcspConfig ocsp;
    private final @NotNull ClientDistributionPoints clientDistributionPoints;

    public CrlConfig(
            final @NotNull List<X509Certificate> caCertificates,
            final @NotNull List<Path> fileSources,
            final @NotNull List<URI> httpSources,
            final @NotNull Duration refreshInterval,
            final @NotNull Duration httpTimeout,
            final long maxCrlBytes,
            final @NotNull WhenUnavailable whenUnavailable,
            final @NotNull Duration gracePeriod,
            final boolean disconnectRevokedClients,
            final @NotNull Map<String, X509Certificate> watchCertificates,
            final @NotNull Duration warnBeforeExpiry,
            final @Nullable Path denyListFile,
            final @NotNull DenyList denyList,
            final boolean purgeSessionOnRevocation,
            final @NotNull OcspConfig ocsp) {
        this(
                caCertificates,
                fileSources,
                httpSources,
                refreshInterval,
                httpTimeout,
                maxCrlBytes,
                whenUnavailable,
                gracePeriod,
                disconnectRevokedClients,
                watchCertificates,
                warnBeforeExpiry,
                denyListFile,
                denyList,
                purgeSessionOnRevocation,
                ocsp,
                ClientDistributionPoints.DISABLED);
    }

    public CrlConfig(
            final @NotNull List<X509Certificate> caCertificates,
            final @NotNull List<Path> fileSources,
            final @NotNull List<URI> httpSources,
            final @NotNull Duration refreshInterval,
            final @NotNull Duration httpTimeout,
            final long maxCrlBytes,
            final @NotNull WhenUnavailable whenUnavailable,
            final @NotNull Duration gracePeriod,
            final boolean disconnectRevokedClients,
            final @NotNull Map<String, X509Certificate> watchCertificates,
            final @NotNull Duration warnBeforeExpiry,
            final @Nullable Path denyListFile,
            final @NotNull DenyList denyList,
            final boolean purgeSessionOnRevocation,
            final @NotNull OcspConfig ocsp,
            final @NotNull ClientDistributionPoints clientDistributionPoints) {
        this.clientDistributionPoints = clientDistributionPoints;
        this.caCertificates = List.copyOf(caCertificates);
        this.fileSources = List.copyOf(fileSources);
        this.httpSources = List.copyOf(httpSources);
        this.refreshInterval = refreshInterval;
        this.httpTimeout = httpTimeout;
        this.maxCrlBytes = maxCrlBytes;
        this.whenUnavailable = whenUnavailable;
        this.gracePeriod = gracePeriod;
        this.disconnectRevokedClients = disconnectRevokedClients;
        this.watchCertificates = Map.copyOf(watchCertificates);
        this.warnBeforeExpiry = warnBeforeExpiry;
        this.denyListFile = denyListFile;
        this.denyList = denyList;
        this.purgeSessionOnRevocation = purgeSessionOnRevocation;
        this.ocsp = ocsp;
    }

    /** The OCSP settings ({@link OcspConfig#DISABLED} without an {@code <ocsp>} block). */
    public @NotNull OcspConfig ocsp() {
        return ocsp;
    }

    /** Whether CRLs are checked at all (a configuration with OCSP may have no CRL source). */
    public boolean crlEnabled() {
        return !fileSources.isEmpty() || !httpSources.isEmpty() || clientDistributionPoints.enabled();
    }

    /** Discovery of CRL distribution points from client certificates ({@link ClientDistributionPoints#DISABLED} when off). */
    public @NotNull ClientDistributionPoints clientDistributionPoints() {
        return clientDistributionPoints;
    }

    /** The operator's deny list file, or {@code null} when none is configured. */
    public @Nullable Path denyListFile() {
        return denyListFile;
    }

    /** The deny list as read with this configuration ({@link DenyList#EMPTY} without a file). */
    public @NotNull DenyList denyList() {
        return denyList;
    }

    /** Whether the session of a client cut for revocation (CRL or deny list) is removed too. */
    public boolean purgeSessionOnRevocation() {
        return purgeSessionOnRevocation;
    }

    public @NotNull List<X509Certificate> caCertificates() {
        return caCertificates;
    }

    public @NotNull List<Path> fileSources() {
        return fileSources;
    }

    /** Configured URLs plus, when discovery is on, the CA certificates' HTTP distribution points. */
    public @NotNull List<URI> httpSources() {
        return httpSources;
    }

    public @NotNull Duration refreshInterval() {
        return refreshInterval;
    }

    public @NotNull Duration httpTimeout() {
        return httpTimeout;
    }

    public long maxCrlBytes() {
        return maxCrlBytes;
    }

    public @NotNull WhenUnavailable whenUnavailable() {
        return whenUnavailable;
    }

    public @NotNull Duration gracePeriod() {
        return gracePeriod;
    }

    public boolean disconnectRevokedClients() {
        return disconnectRevokedClients;
    }

    /** Watched certificates by the path they were configured with. */
    public @NotNull Map<String, X509Certificate> watchCertificates() {
        return watchCertificates;
    }

    public @NotNull Duration warnBeforeExpiry() {
        return warnBeforeExpiry;
    }
}
