package dev.certguard.crl.ocsp;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.path.Authority;
import dev.certguard.crl.path.CertificatePath;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;

/**
 * Which certificates of a path OCSP is asked about (the leaf and every CA below the trust anchor,
 * each with the configured CA that issued it), and what their answers add up to. Stateless;
 * thread-safe.
 */
public final class OcspChecks {

    /** A certificate and the configured CA that issued it. */
    public static final class Issued {
        public final @NotNull X509Certificate certificate;
        public final @NotNull X509Certificate issuer;
        /** The issuer's lookup key (name and key hash), computed once per configured CA. */
        final @NotNull String issuerKey;

        Issued(
                final @NotNull X509Certificate certificate,
                final @NotNull X509Certificate issuer,
                final @NotNull String issuerKey) {
            this.certificate = certificate;
            this.issuer = issuer;
            this.issuerKey = issuerKey;
        }
    }

    /** The outcome for a whole path. */
    public static final class Verdict {
        /** The revoked certificate, or {@code null}. */
        public final @Nullable X509Certificate revoked;
        /** Why a status is missing (a failure cause or {@code unknown}), or {@code null} when all are good. */
        public final @Nullable String unavailable;

        Verdict(final @Nullable X509Certificate revoked, final @Nullable String unavailable) {
            this.revoked = revoked;
            this.unavailable = unavailable;
        }
    }

    private OcspChecks() {}

    public static @NotNull List<Issued> of(final @NotNull CertificatePath path) {
        final List<Issued> out = new ArrayList<>(2);
        Authority issuer = path.issuer();
        X509Certificate certificate = path.leaf();
        while (issuer != null) {
            out.add(new Issued(certificate, issuer.certificate(), issuer.key()));
            if (issuer.isAnchor()) {
                break;
            }
            certificate = issuer.certificate();
            issuer = issuer.issuer();
        }
        return out;
    }

    /** Revoked if any is revoked; unavailable if any has no good status; good otherwise. */
    public static @NotNull Verdict verdict(
            final @NotNull List<Issued> checked, final @NotNull List<OcspAnswer> answers) {
        String unavailable = null;
        for (int i = 0; i < answers.size(); i++) {
            final OcspAnswer answer = answers.get(i);
            if (answer.revoked()) {
                return new Verdict(checked.get(i).certificate, null);
            }
            if (unavailable == null && answer.status() != OcspAnswer.Status.GOOD) {
                unavailable = answer.status() == OcspAnswer.Status.UNKNOWN ? "unknown" : answer.failure();
            }
        }
        return new Verdict(null, unavailable);
    }
}
