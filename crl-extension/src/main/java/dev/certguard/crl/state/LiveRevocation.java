package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts connections whose certificate, or a CA on its path, becomes revoked while they are connected.
 * Each connection's path through the configured CAs is kept in its own {@link Live} record; after a
 * CRL changes, every record is checked against the new snapshot and revoked ones are cut through the
 * shared {@link ConnectionCutter}, which never hits a later connection with the same client id.
 * Thread-safe: records live in a concurrent set; snapshots are immutable.
 */
public final class LiveRevocation implements ConnectionObserver<LiveRevocation.Live> {

    private static final Logger log = LoggerFactory.getLogger(LiveRevocation.class);
    static final String REASON = "certificate revoked";

    /** One authenticated connection that presented a certificate, and its path. */
    public static final class Live {
        final @NotNull Connection connection;
        final @NotNull CertificatePath path;

        Live(final @NotNull Connection connection, final @NotNull CertificatePath path) {
            this.connection = connection;
            this.path = path;
        }
    }

    private final Set<Live> live = ConcurrentHashMap.newKeySet();
    private final @NotNull ConnectionCutter cutter;
    private final @NotNull Authorities authorities;
    private final @NotNull Supplier<RevocationSnapshot> snapshot;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final @NotNull Duration grace;
    private final boolean enabled;

    public LiveRevocation(
            final @NotNull ConnectionCutter cutter,
            final @NotNull Authorities authorities,
            final @NotNull Supplier<RevocationSnapshot> snapshot,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock,
            final @NotNull Duration grace,
            final boolean enabled) {
        this.cutter = cutter;
        this.authorities = authorities;
        this.snapshot = snapshot;
        this.metrics = metrics;
        this.clock = clock;
        this.grace = grace;
        this.enabled = enabled;
        metrics.gauge(CrlMetrics.PREFIX + "connections.tracked", live::size);
    }

    /** Remembers the connection's path when it presented a certificate. */
    @Override
    public @Nullable Live authenticated(final @NotNull Connection connection) {
        final X509Certificate leaf = connection.leaf();
        if (leaf == null) {
            return null;
        }
        final Live record = new Live(connection, authorities.path(leaf));
        live.add(record);
        // A CRL installed between this connection's CONNECT check and now was swept without it.
        if (enabled) {
            check(record, snapshot.get());
        }
        return record;
    }

    @Override
    public void ended(final @NotNull Connection connection, final @Nullable Live record) {
        if (record != null) {
            live.remove(record);
        }
    }

    /** Checks every live connection against a new snapshot and cuts the revoked ones. */
    public void sweep(final @NotNull RevocationSnapshot snapshot) {
        if (!enabled) {
            return;
        }
        for (final Live record : live) {
            check(record, snapshot);
        }
    }

    private void check(final Live record, final RevocationSnapshot snapshot) {
        final X509Certificate revoked =
                snapshot.check(record.path, clock.instant(), grace).revoked();
        if (revoked == null || record.connection.ended() || record.connection.cutPending()) {
            return;
        }
        cutter.cut(record.connection, new ConnectionCutter.Cut(DisconnectReasonCode.NOT_AUTHORIZED, REASON, true))
                .thenAccept(cut -> {
                    if (cut) {
                        metrics.liveDisconnect();
                        log.warn(
                                "crl-extension: disconnected {}: certificate '{}' (serial {}, issuer '{}') on its path was revoked",
                                record.connection.describe(),
                                UntrustedText.escape(
                                        revoked.getSubjectX500Principal().getName()),
                                revoked.getSerialNumber().toString(16),
                                UntrustedText.escape(
                                        revoked.getIssuerX500Principal().getName()));
                    }
                });
    }

    public int tracked() {
        return live.size();
    }
}
