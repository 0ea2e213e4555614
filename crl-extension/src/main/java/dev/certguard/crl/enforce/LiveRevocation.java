package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.crl.ocsp.OcspAnswer;
import dev.certguard.crl.ocsp.OcspChecks;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationSnapshot;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Cuts connections whose certificate, or a CA on its path, becomes revoked while they are connected,
 * whose certificate or identity the operator puts on the deny list, or whose issuer a reload removed
 * from the configured CAs. Each connection's path is kept in its own {@link Live} record (rebuilt
 * when a reload changes the CAs); after a CRL, the deny list or the configuration changes, every
 * record is checked and the ones now refused are cut through the shared {@link ConnectionCutter},
 * which never hits a later connection with the same client id. Revocation and deny-list cuts also
 * remove the client's session when {@code purge-session-on-revocation} is on.
 * Thread-safe: records live in a concurrent set; snapshots and runtimes are immutable.
 */
public final class LiveRevocation implements ConnectionObserver<LiveRevocation.Live> {

    private static final SafeLog log = SafeLog.of(LiveRevocation.class);
    static final String REVOKED = "certificate revoked";
    static final String DENIED = "certificate denied by operator";
    static final String UNKNOWN_ISSUER = "certificate issuer unknown";
    static final String REVOKED_OCSP = "certificate revoked (OCSP)";

    /** One authenticated connection that presented a certificate, and its path. */
    public static final class Live {
        final @NotNull Connection connection;
        volatile @NotNull Authorities authorities;
        volatile @NotNull CertificatePath path;

        Live(final @NotNull Connection connection, final @NotNull Authorities authorities) {
            this.connection = connection;
            this.authorities = authorities;
            this.path = authorities.path(connection.leaf());
        }

        /** The path through the CAs in force (rebuilt once after a reload changed them). */
        CertificatePath path(final Authorities current) {
            if (authorities != current) {
                path = current.path(connection.leaf());
                authorities = current;
            }
            return path;
        }
    }

    private final Set<Live> live = ConcurrentHashMap.newKeySet();
    private final @NotNull ConnectionCutter cutter;
    private final @NotNull Supplier<CrlRuntime> runtime;
    private final @NotNull Supplier<RevocationSnapshot> snapshot;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final @NotNull Audit audit;

    public LiveRevocation(
            final @NotNull ConnectionCutter cutter,
            final @NotNull Supplier<CrlRuntime> runtime,
            final @NotNull Supplier<RevocationSnapshot> snapshot,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock,
            final @NotNull Audit audit) {
        this.audit = audit;
        this.cutter = cutter;
        this.runtime = runtime;
        this.snapshot = snapshot;
        this.metrics = metrics;
        this.clock = clock;
        metrics.gauge(CrlMetrics.PREFIX + "connections.tracked", live::size);
    }

    /** Remembers the connection's path when it presented a certificate. */
    @Override
    public @Nullable Live authenticated(final @NotNull Connection connection) {
        if (connection.leaf() == null) {
            return null;
        }
        final Live record = new Live(connection, runtime.get().authorities());
        live.add(record);
        // A CRL, deny list or configuration installed between this connection's CONNECT check and
        // now was swept without it: read them only after the record is where every sweep sees it.
        check(record, runtime.get(), snapshot.get());
        return record;
    }

    @Override
    public void ended(final @NotNull Connection connection, final @Nullable Live record) {
        if (record != null) {
            live.remove(record);
        }
    }

    /** Checks every live connection against a new CRL snapshot. */
    public void sweep(final @NotNull RevocationSnapshot snapshot) {
        final CrlRuntime current = runtime.get();
        for (final Live record : live) {
            check(record, current, snapshot);
        }
    }

    /** Checks every live connection after the configuration or the deny list changed. */
    public void sweep() {
        sweep(snapshot.get());
    }

    private void check(final Live record, final CrlRuntime current, final RevocationSnapshot snapshot) {
        final Connection connection = record.connection;
        if (connection.ended() || connection.cutPending()) {
            return;
        }
        final String denied = current.denyList().denies(connection.leaf());
        if (denied != null) {
            cut(record, DENIED, current, "it is on the deny list (" + denied + ")", true);
            return;
        }
        final RevocationSnapshot.Status status = snapshot.check(
                record.path(current.authorities()),
                clock.instant(),
                current.config().gracePeriod());
        if (status.unknownIssuer() != null) {
            cut(
                    record,
                    UNKNOWN_ISSUER,
                    current,
                    "its issuer '" + UntrustedText.escape(status.unknownIssuer().getName())
                            + "' is no longer one of the configured ca-certificates",
                    false);
            return;
        }
        final X509Certificate revoked = status.revoked();
        if (revoked != null && current.config().disconnectRevokedClients()) {
            cut(
                    record,
                    REVOKED,
                    current,
                    "certificate '"
                            + UntrustedText.escape(
                                    revoked.getSubjectX500Principal().getName())
                            + "' (serial " + revoked.getSerialNumber().toString(16) + ", issuer '"
                            + UntrustedText.escape(
                                    revoked.getIssuerX500Principal().getName())
                            + "') on its path was revoked",
                    true);
        }
    }

    private void cut(
            final Live record,
            final String reason,
            final CrlRuntime current,
            final String detail,
            final boolean revocation) {
        final boolean purge = revocation && current.config().purgeSessionOnRevocation();
        cutter.cut(
                        record.connection,
                        new ConnectionCutter.Cut(DisconnectReasonCode.NOT_AUTHORIZED, reason, true, purge, true))
                .thenAccept(cut -> {
                    if (!cut) {
                        return;
                    }
                    audit.event("connection.cut")
                            .reason(auditReason(reason))
                            .connection(record.connection)
                            .write();
                    if (reason.equals(REVOKED_OCSP)) {
                        metrics.ocspLiveDisconnect();
                    } else if (reason.equals(DENIED)) {
                        metrics.deniedDisconnect();
                    } else {
                        metrics.liveDisconnect();
                    }
                    log.warn(
                            "crl-extension: disconnected {}: {}{}",
                            record.connection.describe(),
                            detail,
                            purge ? "; its session is removed" : "");
                });
    }

    /**
     * Refreshes the OCSP answers of connected clients that expire within
     * {@code refresh-before-expiry-seconds} and cuts a client whose certificate (or a CA on its
     * path) OCSP now says is revoked.
     */
    public void ocspSweep() {
        final CrlRuntime current = runtime.get();
        final OcspStatuses ocsp = current.ocsp();
        if (ocsp == null) {
            return;
        }
        final Duration within = current.config().ocsp().refreshBeforeExpiry();
        for (final Live record : live) {
            if (record.connection.ended() || record.connection.cutPending()) {
                continue;
            }
            try {
                for (final OcspChecks.Issued issued : OcspChecks.of(record.path(current.authorities()))) {
                    final OcspAnswer cached = ocsp.cached(issued);
                    if (cached != null && cached.revoked()) {
                        revokedByOcsp(record, issued);
                        break;
                    }
                    final CompletableFuture<OcspAnswer> refreshed = ocsp.refreshIfExpiring(issued, within);
                    if (refreshed != null) {
                        refreshed.thenAccept(answer -> {
                            if (answer.revoked()) {
                                revokedByOcsp(record, issued);
                            }
                        });
                    }
                }
            } catch (final RuntimeException e) {
                // One connection's check must not end the sweep, nor the periodic task that runs it.
                log.warn("crl-extension: OCSP check of {} failed: {}", record.connection.describe(), e.toString());
            }
        }
    }

    private void revokedByOcsp(final Live record, final OcspChecks.Issued issued) {
        if (record.connection.ended() || record.connection.cutPending()) {
            return;
        }
        final CrlRuntime current = runtime.get();
        cut(
                record,
                REVOKED_OCSP,
                current,
                "OCSP says certificate '"
                        + UntrustedText.escape(
                                issued.certificate.getSubjectX500Principal().getName()) + "' (serial "
                        + issued.certificate.getSerialNumber().toString(16) + ") on its path is revoked",
                true);
    }

    private static String auditReason(final String reason) {
        switch (reason) {
            case DENIED:
                return "denied";
            case REVOKED:
                return "revoked";
            case REVOKED_OCSP:
                return "revoked-ocsp";
            default:
                return "unknown-issuer";
        }
    }

    public int tracked() {
        return live.size();
    }
}
