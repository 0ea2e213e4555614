package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.security.cert.X509Certificate;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tells whether a client id belongs to exactly one connection, so that a cut (a connection lifetime,
 * a revocation) can disconnect "its" client id without ever hitting another connection that uses it.
 * <p>
 * HiveMQ's API disconnects by client id only, and which of several connections with one client id it
 * finally keeps is decided after authentication (session takeover), in an order no extension can
 * observe. So nothing here guesses an owner: it counts, per broker-final client id, the CONNECTs in
 * progress and the authenticated connections not yet ended, and how many of them presented one
 * client certificate. A connection may be cut by client id while it is the sole authenticated one
 * and no other CONNECT is in progress; a cut for what its certificate is (revoked, denied) may also
 * go ahead while every other connection and CONNECT with the client id presents that same
 * certificate, since whichever of them the cut reaches must go too. Otherwise the cut waits
 * ({@link ConnectionCutter}). Entries disappear with their last connection.
 * <p>
 * An extension that never cuts for what a certificate is counts without certificates
 * ({@link #withoutCertificates()}): its entries are then the same few shared objects, so a client id
 * costs only its map node. Thread-safe: all updates are atomic {@code compute} calls on immutable
 * entries.
 */
public final class ClientIdOwnership {

    private static final class Entry {
        /** Shared entries without a certificate for small counts: [authenticated][pending][presenting]. */
        private static final int SHARED = 4;

        private static final Entry[][][] WITHOUT_CERTIFICATE = new Entry[SHARED][SHARED][SHARED];

        static {
            for (int a = 0; a < SHARED; a++) {
                for (int p = 0; p < SHARED; p++) {
                    for (int n = 0; n < SHARED; n++) {
                        WITHOUT_CERTIFICATE[a][p][n] = new Entry(a, p, null, n);
                    }
                }
            }
        }

        final int authenticated;
        final int pending;
        /** A certificate that counted connections presented ({@code null}: none, or no certificate). */
        final @Nullable X509Certificate certificate;
        /** How many of the counted connections and CONNECTs presented {@code certificate}. */
        final int presenting;

        private Entry(
                final int authenticated,
                final int pending,
                final @Nullable X509Certificate certificate,
                final int presenting) {
            this.authenticated = authenticated;
            this.pending = pending;
            this.certificate = certificate;
            this.presenting = presenting;
        }

        static Entry of(
                final int authenticated,
                final int pending,
                final @Nullable X509Certificate certificate,
                final int presenting) {
            if (certificate == null && authenticated < SHARED && pending < SHARED && presenting < SHARED) {
                return WITHOUT_CERTIFICATE[authenticated][pending][presenting];
            }
            return new Entry(authenticated, pending, certificate, presenting);
        }

        boolean presents(final @Nullable X509Certificate other) {
            return certificate == other || (certificate != null && certificate.equals(other));
        }

        /** The certificate and its count once a connection presenting {@code other} joins. */
        Entry joined(final int authenticated, final int pending, final @Nullable X509Certificate other) {
            if (presents(other)) {
                return of(authenticated, pending, certificate, presenting + 1);
            }
            // When no counted connection presents the remembered certificate any more, the newcomer's
            // is remembered instead; the others still count as presenting something else.
            return presenting == 0
                    ? of(authenticated, pending, other, 1)
                    : of(authenticated, pending, certificate, presenting);
        }
    }

    private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
    private final boolean certificates;

    /** Counts connections and the certificates they present (for cuts of a certificate). */
    public ClientIdOwnership() {
        this(true);
    }

    private ClientIdOwnership(final boolean certificates) {
        this.certificates = certificates;
    }

    /**
     * Counts connections only: certificates passed in are ignored, so {@link #usedOnlyBy} holds only
     * for a free client id and a cut of a certificate waits for sole ownership like any other.
     */
    public static @NotNull ClientIdOwnership withoutCertificates() {
        return new ClientIdOwnership(false);
    }

    private @Nullable X509Certificate counted(final @Nullable X509Certificate certificate) {
        return certificates ? certificate : null;
    }

    /** A CONNECT with this (final) client id arrived, presenting {@code certificate}, before any takeover. */
    public void connecting(final @NotNull String clientId, final @Nullable X509Certificate certificate) {
        final X509Certificate counted = counted(certificate);
        entries.compute(
                clientId,
                (id, entry) -> entry == null
                        ? Entry.of(0, 1, counted, 1)
                        : entry.joined(entry.authenticated, entry.pending + 1, counted));
    }

    /**
     * A CONNECT counted by {@link #connecting} authenticated; {@code certificate} is what it presented
     * (it counts only when the CONNECT was not counted before, the extension having started since).
     */
    public void authenticated(final @NotNull String clientId, final @Nullable X509Certificate certificate) {
        final X509Certificate counted = counted(certificate);
        entries.compute(
                clientId,
                (id, entry) -> entry == null
                        ? Entry.of(1, 0, counted, 1)
                        : Entry.of(
                                entry.authenticated + 1,
                                Math.max(0, entry.pending - 1),
                                entry.certificate,
                                entry.presenting));
    }

    /**
     * A connection with this client id is gone; {@code authenticated} says whether it had
     * authenticated, {@code certificate} is what it presented.
     */
    public void ended(
            final @NotNull String clientId, final boolean authenticated, final @Nullable X509Certificate certificate) {
        final X509Certificate counted = counted(certificate);
        entries.computeIfPresent(clientId, (id, entry) -> {
            final int live = authenticated ? Math.max(0, entry.authenticated - 1) : entry.authenticated;
            final int pending = authenticated ? entry.pending : Math.max(0, entry.pending - 1);
            if (live == 0 && pending == 0) {
                return null;
            }
            final int presenting = entry.presents(counted) ? Math.max(0, entry.presenting - 1) : entry.presenting;
            return Entry.of(live, pending, entry.certificate, presenting);
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
        if (certificate == null || !certificates) {
            return isFree(clientId);
        }
        final Entry entry = entries.get(clientId);
        return entry == null
                || (entry.presents(certificate) && entry.presenting == entry.authenticated + entry.pending);
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
