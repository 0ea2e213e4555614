package dev.certguard.crl.path;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * One configured CA certificate, identified by its subject name <em>and</em> its key: a re-keyed CA
 * that keeps its name is another authority with its own CRLs. Immutable; thread-safe.
 */
public final class Authority {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final X509Certificate certificate;
    private final @NotNull String key;
    private @Nullable Authority issuer;
    private boolean anchor;
    private @NotNull List<String> crlKeys = List.of();
    private final @NotNull CertificatePoints points;

    /** The "no configured CA" marker in caches that cannot hold null. */
    Authority() {
        this.certificate = null;
        this.key = "";
        this.points = CertificatePoints.NONE;
    }

    Authority(final @NotNull X509Certificate certificate) {
        this.certificate = certificate;
        this.key = key(certificate.getSubjectX500Principal(), certificate.getPublicKey());
        this.points = CertificatePoints.of(certificate);
    }

    /** The CRL Distribution Points this CA's certificate names (read once). */
    public @NotNull CertificatePoints points() {
        return points;
    }

    /**
     * The lookup key of a CRL issuer: canonical subject name and the SHA-256 of the public key. A
     * verified CRL carries the key of the CA whose signature verified it.
     */
    public static @NotNull String key(final @NotNull X500Principal name, final @NotNull PublicKey publicKey) {
        final byte[] digest;
        try {
            digest = MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded());
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JRE", e);
        }
        final StringBuilder out = new StringBuilder(name.getName(X500Principal.CANONICAL)).append('#');
        for (final byte b : digest) {
            out.append(HEX[(b >> 4) & 0xf]).append(HEX[b & 0xf]);
        }
        return out.toString();
    }

    public @NotNull X509Certificate certificate() {
        return certificate;
    }

    /** Subject name and key hash, the key under which this authority's CRL is kept. */
    public @NotNull String key() {
        return key;
    }

    /**
     * The configured CA that issued this one, or {@code null} when this is where the configured path
     * ends (a self-signed root, or a CA whose issuer the operator did not configure).
     */
    public @Nullable Authority issuer() {
        return issuer;
    }

    /** The keys under which this authority's CRLs are kept: its own first. */
    public @NotNull List<String> crlKeys() {
        return crlKeys;
    }

    /** Set once while {@link Authorities} is built, before the object is published. */
    void crlKeys(final @NotNull List<String> keys) {
        this.crlKeys = keys;
    }

    /** Whether the path ends here: nothing above it is configured, so nothing revokes it. */
    public boolean isAnchor() {
        return anchor;
    }

    /** Set once while {@link Authorities} is built, before the object is published. */
    void link(final @Nullable Authority issuer) {
        this.issuer = issuer;
        this.anchor = issuer == null;
    }

    @Override
    public String toString() {
        return certificate.getSubjectX500Principal().getName();
    }
}
