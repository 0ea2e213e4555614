package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells whether a client id belongs to exactly one connection, so that a cut (a connection lifetime,
 * a revocation) can disconnect "its" client id without ever hitting another connection that uses it.
 * <p>
 * HiveMQ's API disconnects by client id only, and which of several connections with one client id it
 * finally keeps is decided after authentication (session takeover), in an order no extension can
 * observe. So nothing here guesses an owner: it counts, per broker-final client id, the CONNECTs in
 * progress and the authenticated connections not yet ended, and remembers whether all of them
 * presented one and the same client certificate. A connection may be cut by client id while it is
 * the sole authenticated one and no other CONNECT is in progress; a cut for what its certificate is
 * (revoked, denied) may also go ahead while every other connection and CONNECT with the client id
 * presents that same certificate, since whichever of them the cut reaches must go too. Otherwise the
 * cut waits ({@link ConnectionCutter}). Entries disappear with their last connection.
 * Thread-safe: all updates are atomic {@code compute} calls on immutable entries.
 */
public final class ClientIdOwnership {

    private static final class Entry {
        final int authenticated;
        final int pending;
        /** The certificate the first counted connection presented ({@code null}: none). */
        final @Nullable X509Certificate certificate;
        /** Whether a counted connection presented another certificate (or none) since the entry began. */
        final boolean mixed;

        Entry(
                final int authenticated,
                final int pending,
                final @Nullable X509Certificate certificate,
                final boolean mixed) {
            this.authenticated = authenticated;
            this.pending = pending;
            this.certificate = certificate;
            this.mixed = mixed;
        }

        boolean mixedWith(final @Nullable X509Certificate other) {
            // Same object first: HiveMQ hands each listener of one connection the same certificate.
            return mixed || (certificate != other && !Objects.equals(certificate, other));
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();

    /** A CONNECT with this (final) client id arrived, before any takeover. */
    public void connecting(final @NotNull String clientId) {
        connecting(clientId, null);
    }

    /** A CONNECT with this (final) client id arrived, presenting {@code certificate}, before any takeover. */
    public void connecting(final @NotNull String clientId, final @Nullable X509Certificate certificate) {
        entries.compute(
                clientId,
                (id, entry) -> entry == null
                        ? new Entry(0, 1, certificate, false)
                        : new Entry(
                                entry.authenticated,
                                entry.pending + 1,
                                entry.certificate,
                                entry.mixedWith(certificate)));
    }

    /** A CONNECT counted by {@link #connecting} authenticated. */
    public void authenticated(final @NotNull String clientId) {
        authenticated(clientId, null);
    }

    /**
     * A CONNECT counted by {@link #connecting} authenticated; {@code certificate} is what it presented
     * (it counts only when the CONNECT was not counted before, the extension having started since).
     */
    public void authenticated(final @NotNull String clientId, final @Nullable X509Certificate certificate) {
        entries.compute(
                clientId,
                (id, entry) -> entry == null
                        ? new Entry(1, 0, certificate, false)
                        : new Entry(
                                entry.authenticated + 1,
                                Math.max(0, entry.pending - 1),
                                entry.certificate,
                                entry.mixed));
    }

    /** A connection with this client id is gone; {@code authenticated} says whether it had authenticated. */
    public void ended(final @NotNull String clientId, final boolean authenticated) {
        entries.computeIfPresent(clientId, (id, entry) -> {
            final int live = authenticated ? Math.max(0, entry.authenticated - 1) : entry.authenticated;
            final int pending = authenticated ? entry.pending : Math.max(0, entry.pending - 1);
            // A certificate that differed stays remembered until the client id is free: the entry does
            // not know which connection presented it.
            return live == 0 && pending == 0 ? null : new Entry(live, pending, entry.certificate, entry.mixed);
        });
    }

    /** Whether exactly one authenticated connection has the client id and no CONNECT with it is in progress. */
    public boolean isSoleOwner(final @NotNull String clientId) {
        final Entry entry = entries.get(clientId);
        return entry != null && entry.authenticated == 1 && entry.pending == 0;
    }

    /**
     * Whether every connection and CONNECT in progress with the client id (if any) presented
     * {@code certificate}: a cut or session purge for what that certificate is may reach any of them.
     */
    public boolean usedOnlyBy(final @NotNull String clientId, final @Nullable X509Certificate certificate) {
        if (certificate == null) {
            return isFree(clientId);
        }
        final Entry entry = entries.get(clientId);
        return entry == null || !entry.mixedWith(certificate);
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
