package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Says in one line what a new crl-extension configuration changes, for the reload's INFO line.
 * Stateless; thread-safe.
 */
public final class CrlChanges {

    private CrlChanges() {}

    /** The changes from {@code previous} to {@code next}, or {@code null} when there are none. */
    public static @Nullable String describe(final @NotNull CrlConfig previous, final @NotNull CrlConfig next) {
        final List<String> changes = new ArrayList<>();
        if (!previous.caCertificates().equals(next.caCertificates())) {
            changes.add("ca-certificates now " + next.caCertificates().size() + " certificates");
        }
        if (!previous.fileSources().equals(next.fileSources())
                || !previous.httpSources().equals(next.httpSources())) {
            changes.add("CRL sources now " + next.fileSources() + " " + next.httpSources());
        }
        if (!previous.clientDistributionPoints().equals(next.clientDistributionPoints())) {
            changes.add("client-distribution-points " + next.clientDistributionPoints());
        }
        if (!previous.refreshInterval().equals(next.refreshInterval())) {
            changes.add("refresh every " + next.refreshInterval().getSeconds() + " s");
        }
        if (!previous.httpTimeout().equals(next.httpTimeout()) || previous.maxCrlBytes() != next.maxCrlBytes()) {
            changes.add("HTTP timeout " + next.httpTimeout().getSeconds() + " s, max-crl-bytes " + next.maxCrlBytes());
        }
        if (previous.whenUnavailable() != next.whenUnavailable()) {
            changes.add("when-unavailable " + next.whenUnavailable().name().toLowerCase(java.util.Locale.ROOT));
        }
        if (!previous.gracePeriod().equals(next.gracePeriod())) {
            changes.add("grace period " + next.gracePeriod().getSeconds() + " s");
        }
        if (previous.disconnectRevokedClients() != next.disconnectRevokedClients()) {
            changes.add("disconnect-revoked-clients " + next.disconnectRevokedClients());
        }
        if (previous.purgeSessionOnRevocation() != next.purgeSessionOnRevocation()) {
            changes.add("purge-session-on-revocation " + next.purgeSessionOnRevocation());
        }
        if (!Objects.equals(previous.denyListFile(), next.denyListFile())) {
            changes.add("deny-list " + (next.denyListFile() == null ? "none" : next.denyListFile()));
        }
        if (!previous.watchCertificates()
                        .keySet()
                        .equals(next.watchCertificates().keySet())
                || !previous.warnBeforeExpiry().equals(next.warnBeforeExpiry())) {
            changes.add("watched certificates " + next.watchCertificates().keySet());
        }
        if (!previous.ocsp().equals(next.ocsp())) {
            changes.add(
                    next.ocsp().enabled()
                            ? "OCSP on ("
                                    + (next.ocsp().responderUrl() == null
                                            ? "AIA"
                                            : next.ocsp().responderUrl())
                                    + ", when-unavailable "
                                    + next.ocsp().whenUnavailable().name().toLowerCase(java.util.Locale.ROOT) + ")"
                            : "OCSP off");
        }
        return changes.isEmpty() ? null : String.join("; ", changes);
    }
}
