package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.connection.ConnectionGenerations;
import dev.certguard.crl.path.CertificatePath;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Cuts connections whose certificate (or an intermediate of its chain) becomes revoked while they
 * are connected. Each connection's chain is kept in its own {@link Live} record; after a CRL changes,
 * every record is checked against the new snapshot and revoked ones are disconnected, but only while
 * the record's connection still owns its client id ({@link ConnectionGenerations}), so a reconnect
 * with the same client id is never hit by an old record. Thread-safe.
 */
public final class LiveRevocation {

    private static final Logger log = LoggerFactory.getLogger(LiveRevocation.class);
    private static final int MAX_RECHECKS = 30;

    /** Ends a connection by client id (HiveMQ's ClientService in production). */
    @FunctionalInterface
    public interface Disconnector {
        CompletableFuture<Boolean> disconnect(@NotNull String clientId, @NotNull String reason);
    }

    /** One authenticated connection that presented a certificate. */
    public static final class Live {
        final @NotNull String clientId;
        final long generation;
        final @NotNull CertificatePath path;
        final @NotNull String identity;
        /** The connection ended (set only by {@link #ended}). */
        final AtomicBoolean done = new AtomicBoolean();
        /** A disconnect for it is in flight. */
        final AtomicBoolean cutting = new AtomicBoolean();

        Live(
                final @NotNull String clientId,
                final long generation,
                final @NotNull CertificatePath path,
                final @NotNull String identity) {
            this.clientId = clientId;
            this.generation = generation;
            this.path = path;
            this.identity = identity;
        }
    }

    private final @NotNull ConnectionGenerations generations = new ConnectionGenerations();
    private final Set<Live> live = ConcurrentHashMap.newKeySet();
    private final @NotNull Disconnector disconnector;
    private final @NotNull Supplier<RevocationSnapshot> snapshot;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final @NotNull Duration grace;
    private final boolean enabled;
    private final ScheduledThreadPoolExecutor rechecks;

    public LiveRevocation(
            final @NotNull Disconnector disconnector,
            final @NotNull Supplier<RevocationSnapshot> snapshot,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock,
            final @NotNull Duration grace,
            final boolean enabled) {
        this.disconnector = disconnector;
        this.snapshot = snapshot;
        this.metrics = metrics;
        this.clock = clock;
        this.grace = grace;
        this.enabled = enabled;
        rechecks = new ScheduledThreadPoolExecutor(1, runnable -> {
            final Thread thread = new Thread(runnable, "certguard-crl-live-revocation");
            thread.setDaemon(true);
            return thread;
        });
        rechecks.setRemoveOnCancelPolicy(true);
        metrics.gauge(CrlMetrics.PREFIX + "connections.tracked", live::size);
    }

    /** A CONNECT passed the revocation check (before any session takeover); returns its generation. */
    public long attempt(final @NotNull String clientId) {
        return generations.attempt(clientId);
    }

    public void attemptEnded(final @NotNull String clientId, final long generation) {
        generations.ended(clientId, generation, false);
    }

    /** The connection authenticated; remembers its chain when it presented one. */
    public @Nullable Live authenticated(
            final @NotNull String clientId,
            final long generation,
            final @Nullable CertificatePath path,
            final @NotNull String identity) {
        generations.authenticated(clientId, generation);
        if (path == null) {
            return null;
        }
        final Live connection = new Live(clientId, generation, path, identity);
        live.add(connection);
        // A CRL installed between this connection's CONNECT check and now was swept without it. It is
        // not registered with HiveMQ yet (this event precedes session takeover), so cut it a moment later.
        if (enabled) {
            final X509Certificate revoked =
                    snapshot.get().check(path, clock.instant(), grace).revoked();
            if (revoked != null) {
                later(() -> cut(connection, revoked, 0));
            }
        }
        return connection;
    }

    /** The connection is gone. */
    public void ended(final @NotNull String clientId, final long generation, final @Nullable Live connection) {
        if (connection != null) {
            connection.done.set(true);
            live.remove(connection);
        }
        generations.ended(clientId, generation, true);
    }

    /** Checks every live connection against a new snapshot and cuts the revoked ones. */
    public void sweep(final @NotNull RevocationSnapshot snapshot) {
        if (!enabled) {
            return;
        }
        for (final Live connection : live) {
            final X509Certificate revoked =
                    snapshot.check(connection.path, clock.instant(), grace).revoked();
            if (revoked != null) {
                cut(connection, revoked, 0);
            }
        }
    }

    private void cut(final Live connection, final X509Certificate revoked, final int recheck) {
        if (connection.done.get() || connection.cutting.get()) {
            return;
        }
        if (generations.verdict(connection.clientId, connection.generation) == ConnectionGenerations.Verdict.WAIT
                && recheck < MAX_RECHECKS) {
            later(() -> cut(connection, revoked, recheck + 1));
            return;
        }
        if (!connection.cutting.compareAndSet(false, true)) {
            return;
        }
        if (recheck == 0 || !connection.done.get()) {
            metrics.liveDisconnect();
            log.warn(
                    "crl-extension: disconnecting identity '{}', client id '{}': certificate '{}' (serial {}, issuer '{}') in its chain was revoked",
                    connection.identity,
                    connection.clientId,
                    revoked.getSubjectX500Principal().getName(),
                    revoked.getSerialNumber().toString(16),
                    revoked.getIssuerX500Principal().getName());
        }
        disconnector.disconnect(connection.clientId, "certificate revoked").whenComplete((disconnected, e) -> {
            if (e != null) {
                log.warn("crl-extension: could not disconnect client id '{}': {}", connection.clientId, e.toString());
            }
            if (!Boolean.TRUE.equals(disconnected) && !connection.done.get() && recheck < MAX_RECHECKS) {
                // Not found (yet): the connection may still be on its way into the session registry.
                connection.cutting.set(false);
                later(() -> cut(connection, revoked, recheck + 1));
            }
        });
    }

    private void later(final Runnable task) {
        try {
            rechecks.schedule(task, 1, TimeUnit.SECONDS);
        } catch (final java.util.concurrent.RejectedExecutionException stopping) {
            // The extension is stopping; HiveMQ disconnects every client anyway.
        }
    }

    public int tracked() {
        return live.size();
    }

    public void stop() {
        rechecks.shutdownNow();
    }
}
