package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.verify.VerifiedCrl;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds the current {@link RevocationSnapshot}. Reads are a volatile load; installs swap the whole
 * snapshot atomically and refuse a CRL older than the one in use or than the newest this broker
 * has ever used for the issuer ({@link CrlHighWaterMarks}, persisted across restarts), so a replayed
 * CRL from before a revocation is never accepted, and a CRL that has the number of the one in use
 * without being byte for byte that CRL. Thread-safe.
 */
public final class RevocationState {

    /** Why an install did not happen. */
    public static class RollbackException extends Exception {
        RollbackException(final String message) {
            super(message);
        }
    }

    /** A delta CRL that cannot be applied: no complete CRL of its issuer and scope it builds on. */
    public static final class NoBaseException extends RollbackException {
        NoBaseException(final String message) {
            super(message);
        }
    }

    /** A delta CRL the complete CRL in use already includes (its number is not above the base's). */
    public static final class SupersededException extends RollbackException {
        SupersededException(final String message) {
            super(message);
        }
    }

    private final AtomicReference<RevocationSnapshot> current = new AtomicReference<>(RevocationSnapshot.EMPTY);
    private final @NotNull CrlHighWaterMarks marks;
    /** The key ({@link VerifiedCrl#key()}) of the CRL each source last put in use or delivered again. */
    private final java.util.Map<String, String> suppliers = new java.util.concurrent.ConcurrentHashMap<>();

    /** State whose rollback protection lives in memory only. */
    public RevocationState() {
        this(CrlHighWaterMarks.inMemory());
    }

    /** State whose rollback protection also honours (and raises) persisted high-water marks. */
    public RevocationState(final @NotNull CrlHighWaterMarks marks) {
        this.marks = marks;
    }

    public @NotNull RevocationSnapshot snapshot() {
        return current.get();
    }

    /**
     * Puts in use a CRL read back from a copy kept on disk, only if it is the very CRL the persisted
     * high-water mark records as the newest this broker used for its issuer: with no mark (marks
     * deleted or unreadable, say because the CA restarted its numbering) or another CRL, the copy is
     * not used and the broker waits for a fetch.
     *
     * @throws RollbackException when the copy is not the CRL the mark records
     */
    public void restore(final @NotNull VerifiedCrl crl) throws RollbackException {
        final CrlHighWaterMarks.Mark mark = marks.get(crl);
        if (mark == null) {
            throw new RollbackException("the high-water marks record no CRL of its issuer");
        }
        if (mark.isNewerThan(crl) || mark.isOlderThan(crl) || mark.conflictsWith(crl)) {
            throw new RollbackException("not the newest CRL this broker used for the issuer (number " + mark.number
                    + ", thisUpdate " + mark.thisUpdate + "; recorded across restarts)");
        }
        install(crl);
    }

    /**
     * Puts {@code crl} in use for its issuer.
     *
     * @return whether anything changed (false when the same CRL was installed again)
     * @throws RollbackException when the issuer already has a newer CRL
     */
    public boolean install(final @NotNull VerifiedCrl crl) throws RollbackException {
        final CrlHighWaterMarks.Mark mark = marks.get(crl);
        if (mark != null && mark.isNewerThan(crl)) {
            throw new RollbackException("older than a CRL this broker already used for the issuer (number "
                    + mark.number + ", thisUpdate " + mark.thisUpdate + "; recorded across restarts)");
        }
        if (mark != null && mark.conflictsWith(crl)) {
            throw conflict(crl, "the CRL this broker last used for the issuer (recorded across restarts)");
        }
        while (true) {
            final RevocationSnapshot snapshot = current.get();
            if (crl.isDelta()) {
                final VerifiedCrl base = snapshot.crl(crl.baseKey());
                if (base == null || base.number() == null || base.number().compareTo(crl.deltaBase()) < 0) {
                    throw new NoBaseException("delta CRL number " + crl.number() + " needs a complete CRL numbered "
                            + crl.deltaBase() + " or above of its issuer and scope; "
                            + (base == null ? "none is in use" : "the one in use is number " + base.number()));
                }
                if (base.number().compareTo(crl.number()) >= 0) {
                    throw new SupersededException("delta CRL number " + crl.number()
                            + " is already included in the complete CRL in use, number " + base.number());
                }
            }
            final VerifiedCrl existing = snapshot.crl(crl.key());
            if (existing != null && crl.isOlderThan(existing)) {
                throw new RollbackException("older than the CRL in use (number " + existing.number() + ", thisUpdate "
                        + existing.thisUpdate() + " from " + existing.source() + ")");
            }
            if (existing != null && !crl.isNewerThan(existing) && !crl.sameBytes(existing)) {
                throw conflict(crl, "the CRL in use (from " + existing.source() + ")");
            }
            if (current.compareAndSet(snapshot, snapshot.with(crl))) {
                marks.raise(crl);
                return existing == null || crl.isNewerThan(existing);
            }
        }
    }

    /**
     * Stops using {@code crl} (a discovered distribution point nobody needs any more): its scope is
     * then uncovered again until a CRL for it is installed. Its high-water mark stays, so an older CRL
     * for that scope is still refused. Nothing happens when another CRL replaced it meanwhile, or when
     * another source than {@code source} delivered this CRL's issuer and scope last.
     *
     * @return whether it was in use
     */
    public boolean remove(final @NotNull VerifiedCrl crl, final @NotNull String source) {
        suppliers.remove(source, crl.key());
        if (suppliers.containsValue(crl.key())) {
            return false; // another source (a configured one, say) delivers the same CRL
        }
        while (true) {
            final RevocationSnapshot snapshot = current.get();
            final RevocationSnapshot next = snapshot.without(crl);
            if (next == snapshot) {
                return false;
            }
            if (current.compareAndSet(snapshot, next)) {
                return true;
            }
        }
    }

    /** Records that {@code source} delivers the CRL of {@code key}'s issuer and scope. */
    public void supplied(final @NotNull String source, final @NotNull String key) {
        suppliers.put(source, key);
    }

    /**
     * A CRL that ranks equal to one already used but differs from it: RFC 5280 5.2.3 makes CRL numbers
     * strictly increasing, so two different CRLs with one number are a CA fault or an attack, and the
     * CRL already used stays.
     */
    private static RollbackException conflict(final VerifiedCrl crl, final String used) {
        return new RollbackException(
                (crl.number() != null ? "CRL number " + crl.number() : "thisUpdate " + crl.thisUpdate())
                        + " is that of " + used
                        + " but the CRL differs from it; CRL numbers only increase (RFC 5280 5.2.3):"
                        + " a CA fault or an attack, the CRL in use stays");
    }
}
