package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells whether a client id belongs to exactly one connection, so that a timer (a connection
 * lifetime, a live revocation) can disconnect "its" client id without ever hitting another
 * connection that uses it.
 * <p>
 * HiveMQ's API disconnects by client id only, and which of several connections with one client id
 * it finally keeps is decided after authentication (session takeover), in an order no extension can
 * observe. So this class does not guess an owner: it counts, per client id, the CONNECTs still in
 * progress ({@link #attempt}, called from a CONNECT interceptor or authenticator, i.e. before any
 * takeover) and the authenticated connections not yet ended. A timer of a connection that has not
 * ended itself may disconnect by client id only while that connection is the sole authenticated one
 * and no other CONNECT is in progress; otherwise it must look again shortly (a taken-over connection
 * ends soon, and its own end stops its timer). Entries disappear with their last connection, so
 * nothing is retained for gone client ids.
 * Thread-safe: all updates are atomic {@code compute} calls on immutable entries.
 */
public final class ConnectionGenerations {

    /** What a timer of a connection that has not ended may do. */
    public enum Verdict {
        /** Its connection is the only one with the client id: disconnect by client id. */
        DISCONNECT,
        /** Another connection with the client id exists or is connecting: look again shortly. */
        WAIT
    }

    private static final class Entry {
        final int authenticated;
        final int pending;

        Entry(final int authenticated, final int pending) {
            this.authenticated = authenticated;
            this.pending = pending;
        }
    }

    private final AtomicLong nextGeneration = new AtomicLong();
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** A CONNECT with this client id arrived; returns its generation (always > 0). */
    public long attempt(final @NotNull String clientId) {
        final long generation = nextGeneration.incrementAndGet();
        entries.compute(
                clientId,
                (id, entry) -> entry == null ? new Entry(0, 1) : new Entry(entry.authenticated, entry.pending + 1));
        return generation;
    }

    /** A pending CONNECT with this client id authenticated. */
    public void authenticated(final @NotNull String clientId, final long generation) {
        entries.compute(
                clientId,
                (id, entry) -> entry == null
                        ? new Entry(1, 0)
                        : new Entry(entry.authenticated + 1, Math.max(0, entry.pending - 1)));
    }

    /** A connection with this client id is gone; {@code authenticated} says whether it had authenticated. */
    public void ended(final @NotNull String clientId, final long generation, final boolean authenticated) {
        entries.computeIfPresent(clientId, (id, entry) -> {
            final int live = authenticated ? Math.max(0, entry.authenticated - 1) : entry.authenticated;
            final int pending = authenticated ? entry.pending : Math.max(0, entry.pending - 1);
            return live == 0 && pending == 0 ? null : new Entry(live, pending);
        });
    }

    /** The verdict for a timer of an authenticated connection that has not ended. */
    public @NotNull Verdict verdict(final @NotNull String clientId, final long generation) {
        final Entry entry = entries.get(clientId);
        return entry != null && entry.authenticated == 1 && entry.pending == 0 ? Verdict.DISCONNECT : Verdict.WAIT;
    }

    /** Client ids with a connection or attempt in progress. */
    public int size() {
        return entries.size();
    }
}
