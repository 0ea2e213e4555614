package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.text.SafeLog;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.ThreadFactory;
import java.util.function.LongSupplier;

/**
 * Every connection deadline, fired by one thread. Deadlines are grouped into 100 ms buckets kept in
 * a concurrent skip list ordered by time; each connection is its own node in its bucket's linked list, so a timer
 * costs no object of its own (a scheduled-executor task would be 64+ bytes per connection) and
 * cancelling is O(1). Deadlines fire up to one tick late, never early. Times are in the units of the
 * clock given (the tracker gives a monotonic one, so a step of the system clock moves nothing here).
 * Thread-safe: a bucket's list is guarded by the bucket's monitor, the skip list is concurrent,
 * and a bucket is marked dead under its monitor before it leaves the skip list.
 */
final class BucketedDeadlines {

    private static final SafeLog log = SafeLog.of(BucketedDeadlines.class);
    static final long TICK_MILLIS = 100;

    /** A schedulable item; its links are owned by the buckets. */
    abstract static class Node {
        private volatile @Nullable Bucket bucket;
        private @Nullable Node previous;
        private @Nullable Node next;

        /** Runs on the wheel's thread when the deadline comes; must not block. */
        abstract void expire();
    }

    private static final class Bucket {
        final long tick;

        @Nullable Node head;

        boolean dead;

        Bucket(final long tick) {
            this.tick = tick;
        }
    }

    private final ConcurrentSkipListMap<Long, Bucket> buckets = new ConcurrentSkipListMap<>();
    private final @NotNull LongSupplier clock;
    private final @NotNull Runnable onTick;
    private volatile @Nullable Thread thread;
    private volatile boolean stopped;

    BucketedDeadlines(final @NotNull LongSupplier clockMillis) {
        this(clockMillis, () -> {});
    }

    /** {@code onTick} runs on the timer thread at every wake-up (at least every tick); it must be cheap. */
    BucketedDeadlines(final @NotNull LongSupplier clockMillis, final @NotNull Runnable onTick) {
        this.clock = clockMillis;
        this.onTick = onTick;
    }

    /** Starts the one thread that fires deadlines; without it, only {@link #fireDue()} fires them. */
    void start(final @NotNull ThreadFactory threads) {
        final Thread started = threads.newThread(this::loop);
        thread = started;
        started.start();
    }

    /** Schedules {@code node} (not currently scheduled) to expire at {@code atMillis}; false once stopped. */
    boolean schedule(final @NotNull Node node, final long atMillis) {
        final long tick = tickOf(atMillis);
        while (!stopped) {
            final Bucket bucket = buckets.computeIfAbsent(tick, Bucket::new);
            synchronized (bucket) {
                if (bucket.dead) {
                    continue;
                }
                node.previous = null;
                node.next = bucket.head;
                if (bucket.head != null) {
                    bucket.head.previous = node;
                }
                bucket.head = node;
                node.bucket = bucket;
                return true;
            }
        }
        return false;
    }

    /** The tick {@code node} is scheduled in (its time is tick x {@link #TICK_MILLIS}), or -1 when it is not scheduled. */
    static long scheduledTick(final @NotNull Node node) {
        final Bucket bucket = node.bucket;
        return bucket == null ? -1 : bucket.tick;
    }

    /** The tick a deadline at {@code atMillis} goes into. */
    static long tickOf(final long atMillis) {
        return Math.floorDiv(atMillis + TICK_MILLIS - 1, TICK_MILLIS);
    }

    /** Unschedules {@code node}; true if it was scheduled and now never expires. */
    boolean cancel(final @NotNull Node node) {
        final Bucket bucket = node.bucket;
        if (bucket == null) {
            return false;
        }
        synchronized (bucket) {
            if (node.bucket != bucket || bucket.dead) {
                return false;
            }
            if (node.previous != null) {
                node.previous.next = node.next;
            } else {
                bucket.head = node.next;
            }
            if (node.next != null) {
                node.next.previous = node.previous;
            }
            node.previous = null;
            node.next = null;
            node.bucket = null;
            if (bucket.head == null) {
                bucket.dead = true;
                buckets.remove(bucket.tick, bucket);
            }
            return true;
        }
    }

    /** Every node scheduled now, in no particular order (walks every bucket: for reconfiguration). */
    @NotNull List<Node> scheduled() {
        final List<Node> nodes = new ArrayList<>();
        for (final Bucket bucket : buckets.values()) {
            synchronized (bucket) {
                for (Node node = bucket.head; node != null; node = node.next) {
                    nodes.add(node);
                }
            }
        }
        return nodes;
    }

    /** Nodes scheduled now (walks every bucket: diagnostics and tests only). */
    int size() {
        int size = 0;
        for (final Bucket bucket : buckets.values()) {
            synchronized (bucket) {
                for (Node node = bucket.head; node != null; node = node.next) {
                    size++;
                }
            }
        }
        return size;
    }

    /** Stops the thread; nothing scheduled expires afterwards. */
    void stop() {
        stopped = true;
        final Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
        buckets.clear();
    }

    /** Fires every bucket that is due now; returns how many nodes expired. */
    int fireDue() {
        int fired = 0;
        while (!stopped) {
            final Map.Entry<Long, Bucket> first = buckets.firstEntry();
            if (first == null || first.getKey() * TICK_MILLIS > clock.getAsLong()) {
                return fired;
            }
            fired += fire(first.getValue());
        }
        return fired;
    }

    private void loop() {
        while (!stopped) {
            try {
                onTick.run();
            } catch (final RuntimeException e) {
                log.warn("disconnect-extension: the deadline timer's check failed: {}", e.toString());
            }
            final long now = clock.getAsLong();
            final Map.Entry<Long, Bucket> first = buckets.firstEntry();
            if (first != null && first.getKey() * TICK_MILLIS <= now) {
                fireDue();
                continue;
            }
            final long wait = first == null ? TICK_MILLIS : Math.min(TICK_MILLIS, first.getKey() * TICK_MILLIS - now);
            try {
                Thread.sleep(Math.max(1, wait));
            } catch (final InterruptedException e) {
                if (stopped) {
                    return;
                }
            }
        }
    }

    private int fire(final Bucket bucket) {
        int fired = 0;
        Node node;
        synchronized (bucket) {
            bucket.dead = true;
            buckets.remove(bucket.tick, bucket);
            node = bucket.head;
            bucket.head = null;
        }
        while (node != null && !stopped) {
            final Node next;
            synchronized (bucket) {
                next = node.next;
                node.next = null;
                node.previous = null;
                node.bucket = null;
            }
            fired++;
            try {
                node.expire();
            } catch (final Throwable e) {
                // Keep the one timer thread alive whatever a deadline throws: it serves every connection.
                log.warn("disconnect-extension: a connection deadline failed to run: {}", e.toString());
            }
            node = next;
        }
        return fired;
    }
}
