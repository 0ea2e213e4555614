package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.time.Clock;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The identities with the most refused CONNECTs, denied publishes and denied subscriptions in about
 * the last hour, in bounded memory: per kind, two half-hour windows (the current and the one before),
 * each a Space-Saving sketch of {@link #CAPACITY} counters (Metwally et al.): an identity counted
 * while its window's sketch is full takes over the smallest counter, inheriting its count as its
 * possible overestimate, so every identity seen more often than a window's events / capacity is
 * listed, and the counts are upper bounds. Memory never grows with the fleet; a scrape reads sizes.
 * Thread-safe: each kind's windows are guarded by that kind's lock.
 */
public final class Offenders {

    /** The kinds of offence counted. */
    public enum Kind {
        CONNECT_REFUSED("connect-refused"),
        PUBLISH_DENIED("publish-denied"),
        SUBSCRIBE_DENIED("subscribe-denied");

        private final @NotNull String label;

        Kind(final @NotNull String label) {
            this.label = label;
        }

        public @NotNull String label() {
            return label;
        }
    }

    /** One listed identity and its count in the last hour (an upper bound). */
    public static final class Offender {
        private final @NotNull String identity;
        private final long count;

        Offender(final @NotNull String identity, final long count) {
            this.identity = identity;
            this.count = count;
        }

        public @NotNull String identity() {
            return identity;
        }

        public long count() {
            return count;
        }
    }

    public static final int CAPACITY = 100;
    static final long WINDOW_MILLIS = 30 * 60 * 1000L;

    private final @NotNull Clock clock;
    private final @NotNull Map<Kind, Windows> kinds = new EnumMap<>(Kind.class);

    public Offenders(final @NotNull Clock clock) {
        this.clock = clock;
        for (final Kind kind : Kind.values()) {
            kinds.put(kind, new Windows());
        }
    }

    /** Counts {@code times} offences of {@code kind} by {@code identity} (already escaped). */
    public void offended(final @NotNull Kind kind, final @NotNull String identity, final int times) {
        final Windows windows = kinds.get(kind);
        synchronized (windows) {
            windows.roll(clock.millis());
            windows.current.add(identity, times);
        }
    }

    /** Up to {@link #CAPACITY} identities of {@code kind}, the most offences first. */
    public @NotNull List<Offender> top(final @NotNull Kind kind) {
        final Map<String, Long> merged = new HashMap<>();
        final Windows windows = kinds.get(kind);
        synchronized (windows) {
            windows.roll(clock.millis());
            windows.previous.counts.forEach((identity, count) -> merged.merge(identity, count[0], Long::sum));
            windows.current.counts.forEach((identity, count) -> merged.merge(identity, count[0], Long::sum));
        }
        final List<Offender> all = new ArrayList<>(merged.size());
        merged.forEach((identity, count) -> all.add(new Offender(identity, count)));
        all.sort((a, b) -> a.count != b.count ? Long.compare(b.count, a.count) : a.identity.compareTo(b.identity));
        return all.size() <= CAPACITY ? all : List.copyOf(all.subList(0, CAPACITY));
    }

    /** Identities listed for {@code kind}. */
    public int listed(final @NotNull Kind kind) {
        return top(kind).size();
    }

    /** The current and the previous half-hour window of one kind. Guarded by itself. */
    private static final class Windows {
        Sketch current = new Sketch();
        Sketch previous = new Sketch();
        long currentStart = -1;

        void roll(final long now) {
            final long start = now - Math.floorMod(now, WINDOW_MILLIS);
            if (currentStart < 0) {
                currentStart = start;
            } else if (start == currentStart + WINDOW_MILLIS) {
                previous = current;
                current = new Sketch();
                currentStart = start;
            } else if (start > currentStart) {
                previous = new Sketch();
                current = new Sketch();
                currentStart = start;
            }
        }
    }

    /** A Space-Saving sketch of {@link #CAPACITY} counters. Not thread-safe: guarded by its windows. */
    private static final class Sketch {
        final Map<String, long[]> counts = new HashMap<>();

        void add(final String identity, final int times) {
            final long[] count = counts.get(identity);
            if (count != null) {
                count[0] += times;
                return;
            }
            if (counts.size() < CAPACITY) {
                counts.put(identity, new long[] {times});
                return;
            }
            String smallest = null;
            long least = Long.MAX_VALUE;
            for (final Map.Entry<String, long[]> entry : counts.entrySet()) {
                if (entry.getValue()[0] < least) {
                    least = entry.getValue()[0];
                    smallest = entry.getKey();
                }
            }
            counts.remove(smallest);
            counts.put(identity, new long[] {least + times});
        }
    }
}
