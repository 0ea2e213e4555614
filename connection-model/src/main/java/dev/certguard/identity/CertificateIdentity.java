package dev.certguard.identity;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.text.UntrustedText;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;

/**
 * Reads the identity-bearing parts of an X.509 certificate: the single subject common name and the
 * SHA-256 fingerprint used in logs and pins. Stateless; thread-safe.
 */
public final class CertificateIdentity {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private CertificateIdentity() {}

    /**
     * Returns the subject's only CN.
     *
     * @throws InvalidIdentityException if the subject has no CN, more than one CN (in any RDN,
     *                                  including multi-valued ones), or a CN that is not a string
     */
    public static @NotNull String commonName(final @NotNull X509Certificate certificate)
            throws InvalidIdentityException {
        return commonName(certificate.getSubjectX500Principal());
    }

    /**
     * Returns the only CN of {@code subject} (a certificate's, or a signing request's before it
     * becomes one), by the same rules as {@link #commonName(X509Certificate)}.
     *
     * @throws InvalidIdentityException if the subject has no CN, more than one CN, or a CN that is
     *                                  not a string
     */
    public static @NotNull String commonName(final @NotNull X500Principal subject) throws InvalidIdentityException {
        return CommonNameEncoding.read(subject.getEncoded());
    }

    /** The subject's only CN as it is (not escaped), or {@code null} when there is not exactly one. */
    public static @Nullable String commonNameOrNull(final @NotNull X509Certificate certificate) {
        try {
            return commonName(certificate);
        } catch (final InvalidIdentityException e) {
            return null;
        }
    }

    /** The subject CN escaped for a log line, or {@code -} when the subject has no single CN. */
    public static @NotNull String commonNameForLog(final @NotNull X509Certificate certificate) {
        try {
            return UntrustedText.escape(commonName(certificate));
        } catch (final InvalidIdentityException e) {
            return "-";
        }
    }

    /**
     * Whether the certificate is an end-entity certificate: no basicConstraints CA flag and no
     * keyCertSign key usage. A CA certificate (which could issue further identities) is never a
     * device or service identity, whatever its CN.
     */
    public static boolean isEndEntity(final @NotNull X509Certificate certificate) {
        if (certificate.getBasicConstraints() >= 0) {
            return false;
        }
        final boolean[] keyUsage = certificate.getKeyUsage();
        return keyUsage == null || keyUsage.length <= 5 || !keyUsage[5];
    }

    /** Lower-case hex SHA-256 of the DER encoding, without separators. */
    public static @NotNull String sha256Fingerprint(final @NotNull X509Certificate certificate) {
        return Seen.of(certificate).fingerprint;
    }

    /** The certificate's SHA-256 digest (a copy the caller may keep). */
    public static byte @NotNull [] sha256(final @NotNull X509Certificate certificate) {
        return Seen.of(certificate).sha256.clone();
    }

    /** The serial number in lower-case hex, as {@code BigInteger.toString(16)} writes it. */
    public static @NotNull String serialHex(final @NotNull X509Certificate certificate) {
        return Seen.of(certificate).serial();
    }

    /** The issuer's distinguished name as {@link X500Principal#getName()} writes it (RFC 2253). */
    public static @NotNull String issuerName(final @NotNull X509Certificate certificate) {
        return Seen.of(certificate).issuer();
    }

    /** {@code BigInteger.toString(16)} without its general-radix division for non-negative numbers. */
    static @NotNull String hex(final @NotNull BigInteger number) {
        if (number.signum() < 0) {
            return number.toString(16);
        }
        final byte[] bytes = number.toByteArray();
        final char[] out = new char[bytes.length * 2];
        int length = 0;
        for (final byte b : bytes) {
            final int high = (b >> 4) & 0xf;
            if (length > 0 || high != 0) {
                out[length++] = HEX[high];
            }
            final int low = b & 0xf;
            if (length > 0 || low != 0) {
                out[length++] = HEX[low];
            }
        }
        return length == 0 ? "0" : new String(out, 0, length);
    }

    /**
     * What the log lines and checks of one CONNECT read off its client certificate, computed once per
     * certificate object, so the interceptor, the authenticators, the listeners and the audit line
     * share one SHA-256 instead of computing it again each. The certificate and digest are final; the
     * serial and issuer, which only log lines need, are written when first asked (Strings are
     * immutable, so a racy read sees null or a whole one).
     */
    private static final class Seen {
        private static final CertificateTable<Seen> TABLE = new CertificateTable<>(256);
        private static final IssuerNames ISSUERS = new IssuerNames(64);

        private final X509Certificate certificate;
        private final byte[] sha256;
        private final String fingerprint;
        private String serial;
        private String issuer;

        private Seen(final X509Certificate certificate) {
            this.certificate = certificate;
            try {
                this.sha256 = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            } catch (final NoSuchAlgorithmException | CertificateEncodingException e) {
                // SHA-256 is mandatory on every JRE, and a certificate from a TLS handshake re-encodes.
                throw new IllegalStateException("cannot fingerprint certificate", e);
            }
            final char[] out = new char[sha256.length * 2];
            for (int i = 0; i < sha256.length; i++) {
                out[2 * i] = HEX[(sha256[i] >> 4) & 0xf];
                out[2 * i + 1] = HEX[sha256[i] & 0xf];
            }
            this.fingerprint = new String(out);
        }

        String serial() {
            String known = serial;
            if (known == null) {
                final BigInteger number = certificate.getSerialNumber();
                known = number == null ? "" : hex(number);
                serial = known;
            }
            return known;
        }

        String issuer() {
            String known = issuer;
            if (known == null) {
                final X500Principal principal = certificate.getIssuerX500Principal();
                known = principal == null ? "" : ISSUERS.name(principal);
                issuer = known;
            }
            return known;
        }

        static Seen of(final X509Certificate certificate) {
            final Seen seen = TABLE.get(certificate);
            if (seen != null) {
                return seen;
            }
            final Seen computed = new Seen(certificate);
            TABLE.put(certificate, computed);
            return computed;
        }
    }

    /**
     * Normalises an operator-written fingerprint ({@code AB:CD:...} or {@code abcd...}) to the form
     * {@link #sha256Fingerprint} returns.
     *
     * @throws IllegalArgumentException if it is not 32 bytes of hex
     */
    public static @NotNull String normaliseFingerprint(final @NotNull String written) {
        final String hex = written.replace(":", "").replace(" ", "").toLowerCase(java.util.Locale.ROOT);
        if (!hex.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("must be 64 hex digits (SHA-256), optionally separated by ':'");
        }
        return hex;
    }
}
