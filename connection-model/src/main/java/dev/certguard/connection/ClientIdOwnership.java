package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells whether a client id belongs to exactly one connection, so that a cut (a connection lifetime,
 * a revocation) can disconnect "its" client id without ever hitting another connection that uses it.
 * <p>
 * HiveMQ's API disconnects by client id only, and which of several connections with one client id it
 * finally keeps is decided after authentication (session takeover), in an order no extension can
 * observe. So nothing here guesses an owner: it counts, per broker-final client id, the CONNECTs in
 * progress and the authenticated connections not yet ended. A connection may be cut by client id
 * only while it is the sole authenticated one and no other CONNECT is in progress; otherwise the cut
 * waits ({@link ConnectionCutter}). Entries disappear with their last connection.
 * Thread-safe: all updates are atomic {@code compute} calls on immutable entries.
 */
public final class ClientIdOwnership {

    private static final class Entry {
        final int authenticated;
        final int pending;

        Entry(final int authenticated, final int pending) {
            this.authenticated = authenticated;
            this.pending = pending;
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** A CONNECT with this (final) client id arrived, before any takeover. */
    public void connecting(final @NotNull String clientId) {
        entries.compute(
                clientId,
                (id, entry) -> entry == null ? new Entry(0, 1) : new Entry(entry.authenticated, entry.pending + 1));
    }

    /** A CONNECT counted by {@link #connecting} authenticated. */
    public void authenticated(final @NotNull String clientId) {
        entries.compute(
                clientId,
                (id, entry) -> entry == null
                        ? new Entry(1, 0)
                        : new Entry(entry.authenticated + 1, Math.max(0, entry.pending - 1)));
    }

    /** A connection with this client id is gone; {@code authenticated} says whether it had authenticated. */
    public void ended(final @NotNull String clientId, final boolean authenticated) {
        entries.computeIfPresent(clientId, (id, entry) -> {
            final int live = authenticated ? Math.max(0, entry.authenticated - 1) : entry.authenticated;
            final int pending = authenticated ? entry.pending : Math.max(0, entry.pending - 1);
            return live == 0 && pending == 0 ? null : new Entry(live, pending);
        });
    }

    /** Whether exactly one authenticated connection has the client id and no CONNECT with it is in progress. */
    public boolean isSoleOwner(final @NotNull String clientId) {
        final Entry entry = entries.get(clientId);
        return entry != null && entry.authenticated == 1 && entry.pending == 0;
    }

    /** Whether no connection holds the client id and no CONNECT with it is in progress. */
    public boolean isFree(final @NotNull String clientId) {
        return !entries.containsKey(clientId);
    }

    /** Whether an authenticated connection holds the client id. */
    public boolean hasAuthenticated(final @NotNull String clientId) {
        final Entry entry = entries.get(clientId);
        return entry != null && entry.authenticated > 0;
    }

    /** Client ids with a connection or CONNECT in progress. */
    public int clientIds() {
        return entries.size();
    }
}
