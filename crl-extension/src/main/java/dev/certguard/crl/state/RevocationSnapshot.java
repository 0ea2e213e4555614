package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.crl.VerifiedCrl;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * The CRLs in use, one per issuer, as one immutable value that CONNECT checks read without locks;
 * a refresh builds a new snapshot and swaps it in. Immutable; thread-safe.
 */
public final class RevocationSnapshot {

    static final RevocationSnapshot EMPTY = new RevocationSnapshot(Map.of());

    /** The revocation status of a certificate chain. */
    public static final class Status {
        static final Status GOOD = new Status(null, null);

        private final @Nullable X509Certificate revoked;
        private final @Nullable X500Principal unavailableIssuer;

        private Status(final @Nullable X509Certificate revoked, final @Nullable X500Principal unavailableIssuer) {
            this.revoked = revoked;
            this.unavailableIssuer = unavailableIssuer;
        }

        /** The first revoked certificate of the chain, or {@code null}. */
        public @Nullable X509Certificate revoked() {
            return revoked;
        }

        /** An issuer with no usable CRL, or {@code null}. */
        public @Nullable X500Principal unavailableIssuer() {
            return unavailableIssuer;
        }

        public boolean good() {
            return revoked == null && unavailableIssuer == null;
        }
    }

    private final @NotNull Map<X500Principal, VerifiedCrl> byIssuer;

    private RevocationSnapshot(final @NotNull Map<X500Principal, VerifiedCrl> byIssuer) {
        this.byIssuer = Map.copyOf(byIssuer);
    }

    public @Nullable VerifiedCrl crl(final @NotNull X500Principal issuer) {
        return byIssuer.get(issuer);
    }

    public @NotNull Map<X500Principal, VerifiedCrl> crls() {
        return byIssuer;
    }

    /** A snapshot with {@code crl} in place of its issuer's previous one. */
    @NotNull RevocationSnapshot with(final @NotNull VerifiedCrl crl) {
        final Map<X500Principal, VerifiedCrl> next = new HashMap<>(byIssuer);
        next.put(crl.issuer(), crl);
        return new RevocationSnapshot(next);
    }

    /**
     * Checks every certificate of a presented chain (leaf first) against its issuer's CRL: one hash
     * lookup per certificate. Self-signed certificates (roots) are skipped. A revoked certificate
     * wins over an unavailable CRL.
     */
    public @NotNull Status check(
            final @NotNull X509Certificate[] chain, final @NotNull Instant now, final @NotNull Duration grace) {
        X500Principal unavailable = null;
        for (final X509Certificate certificate : chain) {
            final X500Principal issuer = certificate.getIssuerX500Principal();
            if (issuer.equals(certificate.getSubjectX500Principal())) {
                continue;
            }
            final VerifiedCrl crl = byIssuer.get(issuer);
            if (crl == null || crl.nextUpdate().plus(grace).isBefore(now)) {
                if (unavailable == null) {
                    unavailable = issuer;
                }
                continue;
            }
            if (crl.revoked().contains(certificate.getSerialNumber().toByteArray())) {
                return new Status(certificate, null);
            }
        }
        return unavailable == null ? Status.GOOD : new Status(null, unavailable);
    }
}
