package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.crl.VerifiedCrl;

import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the current {@link RevocationSnapshot}. Reads are a volatile load; installs swap the whole
 * snapshot atomically and refuse to replace a CRL with an older one (no rollback to a CRL from
 * before a revocation). Thread-safe.
 */
public final class RevocationState {

    /** Why an install did not happen. */
    public static final class RollbackException extends Exception {
        RollbackException(final String message) {
            super(message);
        }
    }

    private final AtomicReference<RevocationSnapshot> current = new AtomicReference<>(RevocationSnapshot.EMPTY);

    public @NotNull RevocationSnapshot snapshot() {
        return current.get();
    }

    /**
     * Puts {@code crl} in use for its issuer.
     *
     * @return whether anything changed (false when the same CRL was installed again)
     * @throws RollbackException when the issuer already has a newer CRL
     */
    public boolean install(final @NotNull VerifiedCrl crl) throws RollbackException {
        while (true) {
            final RevocationSnapshot snapshot = current.get();
            final VerifiedCrl existing = snapshot.crl(crl.issuer());
            if (existing != null && crl.isOlderThan(existing)) {
                throw new RollbackException("older than the CRL in use (number " + existing.number() + ", thisUpdate "
                        + existing.thisUpdate() + " from " + existing.source() + ")");
            }
            if (current.compareAndSet(snapshot, snapshot.with(crl))) {
                return existing == null || crl.isNewerThan(existing) || crl.revoked().size() != existing.revoked().size();
            }
        }
    }
}
