package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionObserver;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds one deadline per certificate-authenticated connection in {@link BucketedDeadlines} (no thread
 * and no task object per connection) and, when it comes, cuts the connection through the shared
 * {@link ConnectionCutter} (which never hits a later connection with the same client id). Cancelled
 * deadlines leave at once, so nothing is retained for connections that ended.
 * Thread-safe: per-connection state is in {@link Tracked}; shared state is concurrent.
 */
public final class LifetimeTracker implements ConnectionObserver<LifetimeTracker.Tracked> {

    private static final Logger log = LoggerFactory.getLogger(LifetimeTracker.class);

    private volatile @NotNull LifetimePolicy policy;
    private final @NotNull ConnectionCutter cutter;
    private final @NotNull DisconnectMetrics metrics;
    private volatile boolean sendWill;
    private final @NotNull Clock clock;
    private final @NotNull Audit audit;
    private final @NotNull BucketedDeadlines deadlines;
    private final AtomicInteger tracked = new AtomicInteger();
    /** Certificate connections without a deadline under the policy in force (a reload may give them one). */
    private final Set<Tracked> untimed = ConcurrentHashMap.newKeySet();

    public LifetimeTracker(
            final @NotNull LifetimePolicy policy,
            final @NotNull ConnectionCutter cutter,
            final @NotNull DisconnectMetrics metrics,
            final boolean sendWill,
            final @NotNull Clock clock) {
        this(policy, cutter, metrics, sendWill, clock, new Audit("disconnect-extension", clock));
    }

    public LifetimeTracker(
            final @NotNull LifetimePolicy policy,
            final @NotNull ConnectionCutter cutter,
            final @NotNull DisconnectMetrics metrics,
            final boolean sendWill,
            final @NotNull Clock clock,
            final @NotNull Audit audit) {
        this.audit = audit;
        this.policy = policy;
        this.cutter = cutter;
        this.metrics = metrics;
        this.sendWill = sendWill;
        this.clock = clock;
        this.deadlines = new BucketedDeadlines(clock::millis);
    }

    /** Starts the deadline thread (only the extension's main class calls this). */
    public void start(final @NotNull ThreadFactory threads) {
        deadlines.start(threads);
    }

    /** Cancels every deadline and stops the deadline thread. */
    public void stop() {
        deadlines.stop();
    }

    /** Schedules the connection's deadline when one applies (it presented a certificate). */
    @Override
    public @Nullable Tracked authenticated(final @NotNull Connection connection) {
        if (connection.chain() == null) {
            return null;
        }
        final LifetimePolicy current = policy;
        final long connectedAt = clock.millis();
        final long draw = current.draw();
        final Deadline deadline = current.deadline(java.time.Instant.ofEpochMilli(connectedAt), connection, draw);
        if (deadline == null) {
            // No limit applies now (an exempt identity, no lifetime and no expiry rule): kept aside so
            // that a reload which sets a limit reaches this connection too.
            final Tracked untimedRecord = new Tracked(connection, null, connectedAt, draw);
            untimed.add(untimedRecord);
            if (policy != current) {
                tighten(untimedRecord, policy);
            }
            return untimedRecord;
        }
        final Tracked record = new Tracked(connection, deadline, connectedAt, draw);
        tracked.incrementAndGet();
        metrics.scheduled();
        if (!deadlines.schedule(record, deadline.atEpochMillis())) {
            // The extension is stopping; HiveMQ disconnects every client anyway.
            tracked.decrementAndGet();
        }
        if (policy != current) {
            // A new policy came while this connection was being scheduled: apply it as a reload would.
            tighten(record, policy);
        }
        return record;
    }

    /**
     * Puts a new policy in force: new connections get it, and every tracked connection whose deadline
     * under it is earlier than the one it has gets the earlier one (a tighter policy is never
     * postponed; a looser one applies from the next connection). Returns how many were brought forward.
     */
    public int reconfigure(final @NotNull LifetimePolicy next, final boolean sendWillMessage) {
        policy = next;
        sendWill = sendWillMessage;
        int earlier = 0;
        for (final BucketedDeadlines.Node node : deadlines.scheduled()) {
            if (node instanceof Tracked && tighten((Tracked) node, next)) {
                earlier++;
            }
        }
        for (final Tracked record : untimed) {
            if (tighten(record, next)) {
                earlier++;
            }
        }
        return earlier;
    }

    private boolean tighten(final Tracked record, final LifetimePolicy next) {
        final Deadline proposed =
                next.deadline(java.time.Instant.ofEpochMilli(record.connectedAtMillis), record.connection, record.draw);
        if (proposed == null) {
            return false;
        }
        final Deadline held = record.deadline;
        if (held == null) {
            // A connection without a limit gets one.
            if (!untimed.remove(record)) {
                return false; // ended, or another reload got there first
            }
            tracked.incrementAndGet();
            metrics.scheduled();
        } else if (proposed.atEpochMillis() >= held.atEpochMillis()) {
            return false;
        } else if (!deadlines.cancel(record)) {
            return false; // fired or ended meanwhile
        }
        record.deadline = proposed;
        if (!deadlines.schedule(record, proposed.atEpochMillis())) {
            tracked.decrementAndGet();
            return false;
        }
        if (record.connection.ended() && deadlines.cancel(record)) {
            // The connection ended while it was unscheduled, so its own cancel found nothing.
            tracked.decrementAndGet();
        }
        return true;
    }

    @Override
    public void ended(final @NotNull Connection connection, final @Nullable Tracked record) {
        if (record == null) {
            return;
        }
        untimed.remove(record);
        if (deadlines.cancel(record)) {
            tracked.decrementAndGet();
        }
    }

    /** Connections with a pending deadline. */
    public int tracked() {
        return tracked.get();
    }

    /** Deadlines still scheduled (walks them all: tests and diagnostics only). */
    public int queuedDeadlines() {
        return deadlines.size();
    }

    /** Fires the deadlines that are due by the clock now, on the caller's thread (tests). */
    int fireDue() {
        return deadlines.fireDue();
    }

    /**
     * One authenticated connection's deadline. It is its own node in the buckets, so a tracked
     * connection costs this object and its deadline.
     */
    public final class Tracked extends BucketedDeadlines.Node {
        private final @NotNull Connection connection;
        private final long connectedAtMillis;
        private final long draw;
        private volatile @Nullable Deadline deadline;

        private Tracked(
                final @NotNull Connection connection,
                final @Nullable Deadline deadline,
                final long connectedAtMillis,
                final long draw) {
            this.connection = connection;
            this.deadline = deadline;
            this.connectedAtMillis = connectedAtMillis;
            this.draw = draw;
        }

        /** The deadline, or {@code null} while no limit applies to the connection. */
        public @Nullable Deadline deadline() {
            return deadline;
        }

        @Override
        void expire() {
            tracked.decrementAndGet();
            if (connection.ended()) {
                return;
            }
            final Deadline deadline = this.deadline;
            metrics.disconnected(deadline.limit());
            final String reason = deadline.reason();
            audit.event("connection.cut")
                    .reason(deadline.limit().metricName())
                    .connection(connection)
                    .write();
            log.info(
                    "disconnect-extension: disconnecting {}: {} ({})",
                    connection.describe(),
                    deadline.limit().metricName(),
                    reason);
            cutter.cut(
                    connection, new ConnectionCutter.Cut(DisconnectReasonCode.MAXIMUM_CONNECT_TIME, reason, !sendWill));
        }
    }
}
