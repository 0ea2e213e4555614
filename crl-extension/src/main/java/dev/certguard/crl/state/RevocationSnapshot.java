package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.path.Authority;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.verify.VerifiedCrl;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * The CRLs in use, one per issuing authority (name and key), as one immutable value that CONNECT
 * checks read without locks; a refresh builds a new snapshot and swaps it in. Immutable; thread-safe.
 */
public final class RevocationSnapshot {

    static final RevocationSnapshot EMPTY = new RevocationSnapshot(Map.of());

    /** The revocation status of a certificate path. */
    public static final class Status {
        static final Status GOOD = new Status(null, null, null);

        private final @Nullable X509Certificate revoked;
        private final @Nullable X500Principal unavailableIssuer;
        private final @Nullable X500Principal unknownIssuer;

        private Status(
                final @Nullable X509Certificate revoked,
                final @Nullable X500Principal unavailableIssuer,
                final @Nullable X500Principal unknownIssuer) {
            this.revoked = revoked;
            this.unavailableIssuer = unavailableIssuer;
            this.unknownIssuer = unknownIssuer;
        }

        /** The first revoked certificate of the path, or {@code null}. */
        public @Nullable X509Certificate revoked() {
            return revoked;
        }

        /** An issuer on the path with no usable CRL, or {@code null}. */
        public @Nullable X500Principal unavailableIssuer() {
            return unavailableIssuer;
        }

        /**
         * The issuer of a certificate that none of the configured CAs issued, or {@code null}. Such a
         * certificate is refused whatever {@code when-unavailable} says: that setting is for a CRL that
         * cannot be had, not for an issuer nobody configured.
         */
        public @Nullable X500Principal unknownIssuer() {
            return unknownIssuer;
        }

        public boolean good() {
            return revoked == null && unavailableIssuer == null && unknownIssuer == null;
        }
    }

    private final @NotNull Map<String, VerifiedCrl> byAuthority;

    private RevocationSnapshot(final @NotNull Map<String, VerifiedCrl> byAuthority) {
        this.byAuthority = Map.copyOf(byAuthority);
    }

    /** The CRL in use for an authority ({@link Authority#key()}), or {@code null}. */
    public @Nullable VerifiedCrl crl(final @NotNull String authorityKey) {
        return byAuthority.get(authorityKey);
    }

    /** Every CRL in use, by {@link Authority#key()}. */
    public @NotNull Map<String, VerifiedCrl> crls() {
        return byAuthority;
    }

    /** A snapshot with {@code crl} in place of its authority's previous one. */
    @NotNull RevocationSnapshot with(final @NotNull VerifiedCrl crl) {
        final Map<String, VerifiedCrl> next = new HashMap<>(byAuthority);
        next.put(crl.issuerKey(), crl);
        return new RevocationSnapshot(next);
    }

    /** The CRL in use for an authority, under its own key or a CRL-signing key of its name. */
    private @Nullable VerifiedCrl crlOf(final @NotNull Authority authority) {
        for (final String key : authority.crlKeys()) {
            final VerifiedCrl crl = byAuthority.get(key);
            if (crl != null) {
                return crl;
            }
        }
        return null;
    }

    /**
     * Checks the leaf and every CA of its path below the anchor against the CRL of the authority
     * that issued it: one hash lookup each. A revoked certificate wins over an unavailable CRL.
     */
    public @NotNull Status check(
            final @NotNull CertificatePath path, final @NotNull Instant now, final @NotNull Duration grace) {
        if (path.unknownIssuer() != null) {
            return new Status(null, null, path.unknownIssuer());
        }
        X500Principal unavailable = null;
        X509Certificate certificate = path.leaf();
        for (Authority issuer = path.issuer(); issuer != null; issuer = issuer.issuer()) {
            final VerifiedCrl crl = crlOf(issuer);
            if (crl == null || crl.nextUpdate().plus(grace).isBefore(now)) {
                if (unavailable == null) {
                    unavailable = issuer.certificate().getSubjectX500Principal();
                }
            } else if (crl.revoked().contains(certificate.getSerialNumber().toByteArray())) {
                return new Status(certificate, null, null);
            }
            certificate = issuer.certificate();
        }
        return unavailable == null ? Status.GOOD : new Status(null, unavailable, null);
    }
}
