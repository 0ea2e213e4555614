package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tells whether a client id still belongs to a given connection, so that a timer (a connection
 * lifetime, a live revocation) can disconnect "its" client id without ever hitting a later
 * connection that reuses it.
 * <p>
 * HiveMQ's API disconnects by client id only. Every CONNECT gets a fresh generation from
 * {@link #attempt}, called from a CONNECT interceptor or authenticator, that is before the broker can take over an
 * existing session with that id; the attempt stays pending until it authenticates (it becomes the
 * live connection) or ends. A timer may disconnect only while its connection is live and no other
 * attempt with the client id is pending: then no other connection with it can be registered.
 * Entries disappear with their last connection, so nothing is retained for gone client ids.
 * Thread-safe: all updates are atomic {@code compute} calls on immutable entries.
 */
public final class ConnectionGenerations {

    /** What a timer may do about its connection. */
    public enum Verdict {
        /** This connection is the only one with the client id: disconnect it. */
        DISCONNECT,
        /** A later connection with the client id authenticated, or this one ended: nothing to do. */
        SUPERSEDED,
        /** Another CONNECT with the client id is in progress: look again shortly. */
        WAIT
    }

    private static final class Entry {
        final long live;
        final int pending;

        Entry(final long live, final int pending) {
            this.live = live;
            this.pending = pending;
        }
    }

    private static final long NONE = 0;

    private final AtomicLong nextGeneration = new AtomicLong();
    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** A CONNECT with this client id arrived; returns its generation (always > 0). */
    public long attempt(final @NotNull String clientId) {
        final long generation = nextGeneration.incrementAndGet();
        entries.compute(clientId, (id, entry) -> entry == null ? new Entry(NONE, 1) : new Entry(entry.live, entry.pending + 1));
        return generation;
    }

    /**
     * The pending attempt of {@code generation} authenticated: it is now the client id's live
     * connection. HiveMQ keeps whichever connection authenticates last (it takes the session over),
     * whatever order the CONNECTs arrived in, so the last call wins, not the highest generation.
     * HiveMQ delivers one client id's lifecycle events in the order it fires them.
     */
    public void authenticated(final @NotNull String clientId, final long generation) {
        entries.compute(clientId, (id, entry) -> entry == null
                ? new Entry(generation, 0)
                : new Entry(generation, Math.max(0, entry.pending - 1)));
    }

    /** The connection of {@code generation} is gone; {@code authenticated} says whether it had been. */
    public void ended(final @NotNull String clientId, final long generation, final boolean authenticated) {
        entries.computeIfPresent(clientId, (id, entry) -> {
            final long live = entry.live == generation ? NONE : entry.live;
            final int pending = authenticated ? entry.pending : Math.max(0, entry.pending - 1);
            return live == NONE && pending == 0 ? null : new Entry(live, pending);
        });
    }

    public @NotNull Verdict verdict(final @NotNull String clientId, final long generation) {
        final Entry entry = entries.get(clientId);
        if (entry == null || entry.live != generation) {
            return Verdict.SUPERSEDED;
        }
        return entry.pending == 0 ? Verdict.DISCONNECT : Verdict.WAIT;
    }

    /** Client ids with a connection or attempt in progress. */
    public int size() {
        return entries.size();
    }
}
