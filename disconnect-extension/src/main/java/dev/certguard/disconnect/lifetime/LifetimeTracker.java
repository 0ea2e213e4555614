package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.text.SafeLog;
import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * Holds one deadline per certificate-authenticated connection in {@link BucketedDeadlines} (no thread
 * and no task object per connection) and, when it comes, cuts the connection through the shared
 * {@link ConnectionCutter} (which never hits a later connection with the same client id). Cancelled
 * deadlines leave at once, so nothing is retained for connections that ended.
 * <p>
 * Clock steps: deadlines run on a monotonic clock. A lifetime is a duration from the CONNECT, so a
 * step of the system (wall) clock never moves it: a step forward no longer ends every connection at
 * once, a step back no longer lets connections outlive their lifetime. Certificate expiry is a
 * wall-clock instant: it is converted when scheduled and, whenever the wall clock jumps forward,
 * brought forward to what the new clock says, so a certificate is never kept past its
 * {@code notAfter} as the broker's clock reads it; after a step back it ends early (a reconnect),
 * never late.
 * Thread-safe: per-connection state is in {@link Tracked}; shared state is concurrent.
 */
public final class LifetimeTracker implements ConnectionObserver<LifetimeTracker.Tracked> {

    private static final SafeLog log = SafeLog.of(LifetimeTracker.class);

    private volatile @NotNull LifetimePolicy policy;
    private final @NotNull ConnectionCutter cutter;
    private final @NotNull DisconnectMetrics metrics;
    private volatile boolean sendWill;
    private final @NotNull Clock clock;
    private final @NotNull LongSupplier monotonic;
    /** Wall-clock millis minus monotonic millis when last looked at: a jump means the wall clock stepped. */
    private volatile long wallOffset;

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
        this(policy, cutter, metrics, sendWill, clock, clock::millis, new Audit("disconnect-extension", clock));
    }

    public LifetimeTracker(
            final @NotNull LifetimePolicy policy,
            final @NotNull ConnectionCutter cutter,
            final @NotNull DisconnectMetrics metrics,
            final boolean sendWill,
            final @NotNull Clock clock,
            final @NotNull Audit audit) {
        this(policy, cutter, metrics, sendWill, clock, clock::millis, audit);
    }

    /** {@code monotonicMillis} must never step (the extension gives {@code System.nanoTime()} in millis). */
    public LifetimeTracker(
            final @NotNull LifetimePolicy policy,
            final @NotNull ConnectionCutter cutter,
            final @NotNull DisconnectMetrics metrics,
            final boolean sendWill,
            final @NotNull Clock clock,
            final @NotNull LongSupplier monotonicMillis,
            final @NotNull Audit audit) {
        this.audit = audit;
        this.policy = policy;
        this.cutter = cutter;
        this.metrics = metrics;
        this.sendWill = sendWill;
        this.clock = clock;
        this.monotonic = monotonicMillis;
        this.wallOffset = offset();
        this.deadlines = new BucketedDeadlines(monotonicMillis, this::followWallClock);
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
        final long offset = offset();
        final long connectedAt = monotonic.getAsLong();
        final long draw = current.draw();
        final Deadline deadline =
                current.deadline(java.time.Instant.ofEpochMilli(connectedAt + offset), connection, draw);
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
        if (!deadlines.schedule(record, deadline.atEpochMillis() - offset)) {
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
        final long offset = offset();
        final Deadline proposed = next.deadline(
                java.time.Instant.ofEpochMilli(record.connectedAt + offset), record.connection, record.draw);
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
        } else if (BucketedDeadlines.tickOf(proposed.atEpochMillis() - offset)
                >= BucketedDeadlines.scheduledTick(record)) {
            return false; // not earlier, or (-1) fired or ended meanwhile
        } else if (!deadlines.cancel(record)) {
            return false; // fired or ended meanwhile
        }
        return reschedule(record, proposed, offset);
    }

    /** Puts an unscheduled record on the wheel with {@code deadline}; false if it could not stay there. */
    private boolean reschedule(final Tracked record, final Deadline deadline, final long offset) {
        record.deadline = deadline;
        if (!deadlines.schedule(record, deadline.atEpochMillis() - offset)) {
            tracked.decrementAndGet();
            return false;
        }
        if (record.connection.ended() && deadlines.cancel(record)) {
            // The connection ended while it was unscheduled, so its own cancel found nothing.
            tracked.decrementAndGet();
        }
        return true;
    }

    /**
     * Wall-clock millis minus monotonic millis now. Deadlines are computed on the wall clock (a
     * connection's CONNECT placed where the wall clock reads it now, certificate expiry as it is) and
     * scheduled at that time minus this offset, so a lifetime keeps its monotonic time whatever the
     * wall clock did since, and an expiry is where the wall clock now puts it.
     */
    private long offset() {
        return clock.millis() - monotonic.getAsLong();
    }

    /**
     * Runs on the timer thread at each tick: when the wall clock has jumped forward (by more than a
     * second), every tracked connection whose certificate expiry the new clock puts before its
     * scheduled deadline gets that expiry. Returns how many were brought forward.
     */
    int followWallClock() {
        final long offset = offset();
        final long previous = wallOffset;
        wallOffset = offset;
        if (offset <= previous + 1000) {
            return 0;
        }
        final LifetimePolicy current = policy;
        int earlier = 0;
        for (final BucketedDeadlines.Node node : deadlines.scheduled()) {
            if (!(node instanceof Tracked)) {
                continue;
            }
            final Tracked record = (Tracked) node;
            final Deadline now = current.deadline(
                    java.time.Instant.ofEpochMilli(record.connectedAt + offset), record.connection, record.draw);
            if (now != null
                    && BucketedDeadlines.tickOf(now.atEpochMillis() - offset) < BucketedDeadlines.scheduledTick(record)
                    && deadlines.cancel(record)
                    && reschedule(record, now, offset)) {
                earlier++;
            }
        }
        if (earlier > 0) {
            log.warn(
                    "disconnect-extension: the system clock jumped forward by {} s; {} connection(s) whose certificate"
                            + " has expired by the new clock are ended now (lifetimes are unaffected)",
                    (offset - previous) / 1000,
                    earlier);
        }
        return earlier;
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
        /** The CONNECT on the monotonic clock. */
        private final long connectedAt;

        private final long draw;
        private volatile @Nullable Deadline deadline;

        private Tracked(
                final @NotNull Connection connection,
                final @Nullable Deadline deadline,
                final long connectedAt,
                final long draw) {
            this.connection = connection;
            this.deadline = deadline;
            this.connectedAt = connectedAt;
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
            cutter.cut(connection, new ConnectionCutter.Cut(deadline.reasonDefinition(), reason, !sendWill));
        }
    }
}
