package dev.certguard.crl.path;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.security.cert.X509Certificate;
import javax.security.auth.x500.X500Principal;

/**
 * The path from a client certificate up to a configured trust anchor, built from the configured
 * CAs only (never from certificates the client sent), or the reason no such path exists.
 * Immutable; thread-safe.
 */
public final class CertificatePath {

    private final @NotNull X509Certificate leaf;
    private final @Nullable Authority issuer;
    private final @Nullable X500Principal unknownIssuer;
    /** What {@link Authorities} remembers of the leaf, where it does. */
    private final @Nullable Authorities.Issued remembered;

    private CertificatePath(
            final @NotNull X509Certificate leaf,
            final @Nullable Authority issuer,
            final @Nullable X500Principal unknownIssuer,
            final @Nullable Authorities.Issued remembered) {
        this.leaf = leaf;
        this.issuer = issuer;
        this.unknownIssuer = unknownIssuer;
        this.remembered = remembered;
    }

    static @NotNull CertificatePath of(final @NotNull X509Certificate leaf, final @NotNull Authority issuer) {
        return new CertificatePath(leaf, issuer, null, null);
    }

    static @NotNull CertificatePath of(
            final @NotNull X509Certificate leaf,
            final @NotNull Authority issuer,
            final @NotNull Authorities.Issued remembered) {
        return new CertificatePath(leaf, issuer, null, remembered);
    }

    /** A certificate that is itself a configured anchor: nothing above it can revoke it. */
    static @NotNull CertificatePath anchor(final @NotNull X509Certificate anchor) {
        return new CertificatePath(anchor, null, null, null);
    }

    static @NotNull CertificatePath unknown(final @NotNull X509Certificate leaf) {
        return new CertificatePath(leaf, null, leaf.getIssuerX500Principal(), null);
    }

    /**
     * The leaf's CRL Distribution Points, read once per certificate while {@link Authorities}
     * remembers it (a device reconnecting is not parsed again).
     */
    public @NotNull CertificatePoints leafPoints() {
        return remembered != null ? remembered.points(leaf) : CertificatePoints.of(leaf);
    }

    /**
     * The http(s) CRL distribution points of every certificate whose revocation is checked: the leaf
     * and each CA of the path below the anchor.
     */
    public @NotNull java.util.List<java.net.URI> distributionPoints() {
        final java.util.List<java.net.URI> urls =
                new java.util.ArrayList<>(leafPoints().fetchable());
        for (Authority authority = issuer; authority != null; authority = authority.issuer()) {
            if (authority.issuer() != null) {
                urls.addAll(authority.points().fetchable());
            }
        }
        return urls;
    }

    public @NotNull X509Certificate leaf() {
        return leaf;
    }

    /** The configured CA that issued the leaf; follow {@link Authority#issuer()} up to the anchor. */
    public @Nullable Authority issuer() {
        return issuer;
    }

    /** The issuer name of a leaf that no configured CA issued, or {@code null} when the path is known. */
    public @Nullable X500Principal unknownIssuer() {
        return unknownIssuer;
    }
}
