package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.connection.ConnectionGenerations;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one deadline per certificate-authenticated connection on a single timer thread (no thread
 * per connection, no task object per connection: see {@link TimerWheel}), and disconnects the
 * connection when its {@link Deadline} comes, unless a later connection has taken its client id
 * over. Cancelled deadlines leave the wheel at once, so nothing is retained for connections that ended.
 * Thread-safe: per-connection state is in {@link Tracked}; shared state is concurrent.
 */
public final class LifetimeTracker {

    private static final Logger log = LoggerFactory.getLogger(LifetimeTracker.class);
    static final Duration RECHECK = Duration.ofSeconds(1);
    /** After this many re-checks a pending attempt is treated as stale and the deadline enforced anyway. */
    static final int MAX_RECHECKS = 30;

    /** Ends a connection by client id (HiveMQ's ClientService in production). */
    @FunctionalInterface
    public interface Disconnector {
        CompletableFuture<Boolean> disconnect(@NotNull String clientId, boolean preventWill, @NotNull String reason);
    }

    private final @NotNull LifetimePolicy policy;
    private final @NotNull ConnectionGenerations generations;
    private final @NotNull Disconnector disconnector;
    private final @NotNull DisconnectMetrics metrics;
    private final boolean sendWill;
    private final @NotNull Clock clock;
    private final @NotNull TimerWheel wheel;
    private static final AtomicIntegerFieldUpdater<Tracked> UNTRACKED =
            AtomicIntegerFieldUpdater.newUpdater(Tracked.class, "untracked");

    private final AtomicInteger tracked = new AtomicInteger();

    public LifetimeTracker(
            final @NotNull LifetimePolicy policy,
            final @NotNull ConnectionGenerations generations,
            final @NotNull Disconnector disconnector,
            final @NotNull DisconnectMetrics metrics,
            final boolean sendWill,
            final @NotNull Clock clock) {
        this.policy = policy;
        this.generations = generations;
        this.disconnector = disconnector;
        this.metrics = metrics;
        this.sendWill = sendWill;
        this.clock = clock;
        this.wheel = new TimerWheel(clock::millis, "certguard-connection-lifetime");
        metrics.gauges(tracked::get, generations::size);
    }

    /** A CONNECT arrived with this client id (before any takeover); returns its generation. */
    public long attempt(final @NotNull String clientId) {
        return generations.attempt(clientId);
    }

    /**
     * The attempt authenticated. Schedules its deadline when it presented a certificate chain.
     *
     * @param chain the presented chain (leaf first), or {@code null} without a client certificate
     */
    public @NotNull Tracked authenticated(
            final @NotNull String clientId,
            final long generation,
            final @NotNull String identity,
            final @Nullable X509Certificate[] chain) {
        generations.authenticated(clientId, generation);
        final Deadline deadline =
                chain == null || chain.length == 0 ? null : policy.deadline(clock.instant(), identity, chain);
        // The leaf is held by the TLS session anyway; keeping it instead of the identity string costs nothing.
        final Tracked connection = new Tracked(clientId, generation, deadline == null ? null : chain[0], deadline);
        if (deadline != null) {
            tracked.incrementAndGet();
            metrics.scheduled();
            connection.schedule(Math.max(0, deadline.atEpochMillis() - clock.millis()));
        }
        return connection;
    }

    /** A CONNECT attempt that never authenticated ended. */
    public void attemptEnded(final @NotNull String clientId, final long generation) {
        generations.ended(clientId, generation, false);
    }

    /** Connections with a pending deadline. */
    public int tracked() {
        return tracked.get();
    }

    /** Deadlines still scheduled (walks them all: tests and diagnostics only). */
    public int queuedTimers() {
        return wheel.size();
    }

    /** Client ids with state (for tests and diagnostics). */
    public int clientIds() {
        return generations.size();
    }

    private static String identity(final @Nullable X509Certificate leaf) {
        if (leaf == null) {
            return "-";
        }
        try {
            return UntrustedText.escape(CertificateIdentity.commonName(leaf));
        } catch (final InvalidIdentityException e) {
            return "-";
        }
    }

    /** Cancels every timer and stops the scheduler thread. */
    public void stop() {
        wheel.stop();
    }

    /**
     * One authenticated connection: its certificate, deadline and timer. It is its own node in the
     * timer wheel, so a tracked connection costs this object, its deadline and one map entry.
     */
    public final class Tracked extends TimerWheel.Node {
        private final @NotNull String clientId;
        private final long generation;
        private final @Nullable X509Certificate leaf;
        private final @Nullable Deadline deadline;
        private volatile boolean ended;
        private volatile int untracked;
        private int rechecks;

        private Tracked(
                final @NotNull String clientId,
                final long generation,
                final @Nullable X509Certificate leaf,
                final @Nullable Deadline deadline) {
            this.clientId = clientId;
            this.generation = generation;
            this.leaf = leaf;
            this.deadline = deadline;
        }

        public @Nullable Deadline deadline() {
            return deadline;
        }

        private void schedule(final long delayMillis) {
            if (!wheel.schedule(this, clock.millis() + delayMillis)) {
                // The extension is stopping; HiveMQ disconnects every client anyway.
                untrack();
                return;
            }
            if (ended) {
                cancel();
            }
        }

        /** The connection ended, however: cancels its timer and releases its client id. */
        public void ended() {
            ended = true;
            cancel();
            generations.ended(clientId, generation, true);
        }

        private void cancel() {
            if (wheel.cancel(this)) {
                untrack();
            }
        }

        /** Leaves the tracked count exactly once, however timer, re-checks and disconnect interleave. */
        private void untrack() {
            if (deadline != null && UNTRACKED.compareAndSet(this, 0, 1)) {
                tracked.decrementAndGet();
            }
        }

        @Override
        void expire() {
            if (ended || deadline == null) {
                untrack();
                return;
            }
            if (generations.verdict(clientId, generation) == ConnectionGenerations.Verdict.WAIT) {
                if (++rechecks <= MAX_RECHECKS) {
                    schedule(RECHECK.toMillis());
                    return;
                }
                log.warn(
                        "disconnect-extension: another connection with client id '{}' stayed for {} s; enforcing the deadline",
                        clientId,
                        MAX_RECHECKS * RECHECK.getSeconds());
            }
            untrack();
            metrics.disconnected(deadline.limit());
            final String reason = deadline.reason();
            log.info(
                    "disconnect-extension: disconnecting identity '{}', client id '{}': {} ({})",
                    identity(leaf),
                    clientId,
                    deadline.limit().metricName(),
                    reason);
            disconnector.disconnect(clientId, !sendWill, reason).exceptionally(e -> {
                log.warn("disconnect-extension: could not disconnect client id '{}': {}", clientId, e.toString());
                return false;
            });
        }
    }
}
