package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.text.UntrustedText;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One authenticated connection as an extension sees it: its broker-final client id and the
 * certificate chain it presented, and whether it has ended. The identity and fingerprint that log
 * lines need are derived from the leaf only when a line is written, so a connection that is never
 * cut never pays for them. Thread-safe: the end flag is volatile, the cut is set once atomically.
 */
public final class Connection {

    private final @NotNull String clientId;
    private final X509Certificate @Nullable [] chain;
    private final @Nullable String listener;
    private final @Nullable InetAddress remoteAddress;

    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<Connection, CompletableFuture> CUT =
            AtomicReferenceFieldUpdater.newUpdater(Connection.class, CompletableFuture.class, "cut");

    private volatile boolean ended;
    /** Set once by {@link #claimCut}; a field updater instead of an AtomicReference saves an object per connection. */
    private volatile @Nullable CompletableFuture<Boolean> cut;

    public Connection(final @NotNull String clientId, final X509Certificate @Nullable [] chain) {
        this(clientId, chain, null);
    }

    public Connection(
            final @NotNull String clientId, final X509Certificate @Nullable [] chain, final @Nullable String listener) {
        this(clientId, chain, listener, null);
    }

    public Connection(
            final @NotNull String clientId,
            final X509Certificate @Nullable [] chain,
            final @Nullable String listener,
            final @Nullable InetAddress remoteAddress) {
        this.clientId = clientId;
        this.chain = chain == null || chain.length == 0 ? null : chain;
        this.listener = listener;
        this.remoteAddress = remoteAddress;
    }

    /** The client's address, or {@code null} when unknown. */
    public @Nullable InetAddress remoteAddress() {
        return remoteAddress;
    }

    /** The name of the HiveMQ listener the connection came in on, or {@code null} when unknown. */
    public @Nullable String listener() {
        return listener;
    }

    /** The client id HiveMQ knows the connection by, after every CONNECT interceptor. */
    public @NotNull String clientId() {
        return clientId;
    }

    /** The chain the client presented in TLS (leaf first), or {@code null} without a client certificate. */
    public X509Certificate @Nullable [] chain() {
        return chain;
    }

    /** The client certificate, or {@code null}. */
    public @Nullable X509Certificate leaf() {
        return chain == null ? null : chain[0];
    }

    public boolean ended() {
        return ended;
    }

    void end() {
        ended = true;
    }

    /**
     * Claims the cut of this connection for {@code future}; returns {@code null} when claimed, or the
     * cut already under way (or done). A cut that gave up (completed {@code false}) while the
     * connection is still alive may be claimed again, so a later revocation sweep retries it.
     */
    @Nullable @SuppressWarnings("unchecked")
    CompletableFuture<Boolean> claimCut(final @NotNull CompletableFuture<Boolean> future) {
        while (true) {
            final CompletableFuture<Boolean> current = cut;
            final boolean gaveUp = current != null && current.isDone() && !current.getNow(false) && !ended;
            if (current != null && !gaveUp) {
                return current;
            }
            if (CUT.compareAndSet(this, current, future)) {
                return null;
            }
        }
    }

    /** Whether a cut of this connection is under way (waiting or retrying) or has succeeded. */
    public boolean cutPending() {
        final CompletableFuture<Boolean> current = cut;
        return current != null && (!current.isDone() || current.getNow(false));
    }

    /** The certificate identity (CN) for a log line, escaped; {@code -} without one. */
    public @NotNull String identityForLog() {
        final X509Certificate leaf = leaf();
        return leaf == null ? "-" : CertificateIdentity.commonNameForLog(leaf);
    }

    /** The client certificate's SHA-256 fingerprint for a log line; {@code -} without one. */
    public @NotNull String fingerprintForLog() {
        final X509Certificate leaf = leaf();
        return leaf == null ? "-" : CertificateIdentity.sha256Fingerprint(leaf);
    }

    /** Identity, client id and fingerprint, the way every certguard log line names a connection. */
    public @NotNull String describe() {
        return "identity '" + identityForLog() + "', client id '" + UntrustedText.escape(clientId)
                + "', certificate sha256 " + fingerprintForLog();
    }
}
