package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionObserver;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The expiry and age census of the connected fleet, kept as connections come and go: the connected
 * certificates counted by the hour their validity ends and the day it began, so a scrape sums a few
 * hundred buckets instead of scanning connections, whatever the fleet's size, and a connection costs
 * no memory of its own. "Expiring within N days" is exact to the hour.
 * Thread-safe: every method holds the instance's lock, briefly.
 */
public final class FleetCensus {

    private static final long HOUR = 3600;
    private static final long DAY = 86_400;

    private final TreeMap<Long, long[]> byExpiryHour = new TreeMap<>();
    private final TreeMap<Long, long[]> byIssueDay = new TreeMap<>();
    private long counted;

    /** Counts {@code connection}'s certificate while {@code inner} tracks the connection. */
    public <T> @NotNull ConnectionObserver<T> observing(final @NotNull ConnectionObserver<T> inner) {
        return new ConnectionObserver<T>() {
            @Override
            public @Nullable T authenticated(final @NotNull Connection connection) {
                add(connection.leaf());
                // Counted first: ended() uncounts it even when the inner observer throws here.
                return inner.authenticated(connection);
            }

            @Override
            public void ended(final @NotNull Connection connection, final @Nullable T record) {
                try {
                    inner.ended(connection, record);
                } finally {
                    remove(connection.leaf());
                }
            }

            @Override
            public void serverDisconnected(final @NotNull ServerInitiatedDisconnectInput input) {
                inner.serverDisconnected(input);
            }
        };
    }

    synchronized void add(final @Nullable X509Certificate leaf) {
        if (leaf == null) {
            return;
        }
        counted++;
        byExpiryHour.computeIfAbsent(hour(leaf.getNotAfter().toInstant()), k -> new long[1])[0]++;
        byIssueDay.computeIfAbsent(day(leaf.getNotBefore().toInstant()), k -> new long[1])[0]++;
    }

    synchronized void remove(final @Nullable X509Certificate leaf) {
        if (leaf == null) {
            return;
        }
        counted--;
        decrement(byExpiryHour, hour(leaf.getNotAfter().toInstant()));
        decrement(byIssueDay, day(leaf.getNotBefore().toInstant()));
    }

    /** Connected certificates counted. */
    public synchronized long connected() {
        return counted;
    }

    /** Connected certificates whose validity ends before {@code now + window} (to the hour). */
    public synchronized long expiringWithin(final @NotNull Instant now, final @NotNull Duration window) {
        return sum(byExpiryHour.headMap(hour(now.plus(window)), true));
    }

    /** Connected certificates whose validity began more than {@code days} days before {@code now}. */
    public synchronized long olderThan(final @NotNull Instant now, final int days) {
        return sum(byIssueDay.headMap(day(now) - days, false));
    }

    private static long sum(final Map<Long, long[]> buckets) {
        long total = 0;
        for (final long[] count : buckets.values()) {
            total += count[0];
        }
        return total;
    }

    private static void decrement(final TreeMap<Long, long[]> buckets, final long key) {
        final long[] count = buckets.get(key);
        if (count != null && --count[0] <= 0) {
            buckets.remove(key);
        }
    }

    private static long hour(final Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), HOUR);
    }

    private static long day(final Instant instant) {
        return Math.floorDiv(instant.getEpochSecond(), DAY);
    }
}
