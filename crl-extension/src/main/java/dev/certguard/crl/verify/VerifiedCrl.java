package dev.certguard.crl.verify;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.Arrays;
import javax.security.auth.x500.X500Principal;

/**
 * A CRL whose signature, issuer, times and extensions were checked; only the lookup index, the
 * metadata and the SHA-256 of its bytes are kept, not the bytes. Immutable; thread-safe.
 */
public final class VerifiedCrl {

    private final @NotNull X500Principal issuer;
    private final @NotNull Instant thisUpdate;
    private final @NotNull Instant nextUpdate;
    private final @Nullable BigInteger number;
    private final @NotNull RevocationIndex revoked;
    private final @NotNull String source;
    private final @NotNull String issuerKey;
    private final byte @NotNull [] sha256;
    private final @NotNull CrlScope scope;
    private final @Nullable BigInteger deltaBase;
    private final @NotNull RevocationIndex held;
    private final @NotNull RevocationIndex lifted;
    private final boolean namesDeltas;
    private final @NotNull java.util.List<java.net.URI> freshest;

    VerifiedCrl(
            final @NotNull ParsedCrl crl,
            final @NotNull String source,
            final @NotNull String issuerKey,
            final @NotNull CrlScope scope) {
        this.issuerKey = issuerKey;
        this.scope = scope;
        this.deltaBase = crl.deltaBase;
        this.held = crl.held();
        this.lifted = crl.lifted();
        this.namesDeltas = crl.freshestCrl != null;
        this.freshest = crl.freshestCrl == null
                ? java.util.List.of()
                : dev.certguard.crl.path.CertificatePoints.parse(
                                crl.freshestCrl,
                                org.bouncycastle.asn1.x500.X500Name.getInstance(
                                        crl.issuer().getEncoded()))
                        .fetchable();
        try {
            this.sha256 = MessageDigest.getInstance("SHA-256").digest(crl.der);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
        this.issuer = crl.issuer();
        this.thisUpdate = crl.thisUpdate();
        this.nextUpdate = crl.nextUpdate();
        this.number = crl.number();
        this.revoked = crl.revoked();
        this.source = source;
    }

    public @NotNull X500Principal issuer() {
        return issuer;
    }

    public @NotNull Instant thisUpdate() {
        return thisUpdate;
    }

    public @NotNull Instant nextUpdate() {
        return nextUpdate;
    }

    public @Nullable BigInteger number() {
        return number;
    }

    public @NotNull RevocationIndex revoked() {
        return revoked;
    }

    /**
     * Issuer name and SHA-256 of the key that verified it ({@link dev.certguard.crl.path.Authority#key}):
     * a CA re-keyed under the same name is another authority with CRLs of its own.
     */
    public @NotNull String issuerKey() {
        return issuerKey;
    }

    /** A delta CRL's BaseCRLNumber: the lowest number of a complete CRL it may be applied to; {@code null} for a complete CRL. */
    public @Nullable BigInteger deltaBase() {
        return deltaBase;
    }

    public boolean isDelta() {
        return deltaBase != null;
    }

    /** Serials it lists on hold ({@code certificateHold}), which a delta may lift. */
    public @NotNull RevocationIndex held() {
        return held;
    }

    /** A delta's serials whose hold it lifts ({@code removeFromCRL}). */
    public @NotNull RevocationIndex lifted() {
        return lifted;
    }

    /** Whether a complete CRL names where its delta CRLs are (a Freshest CRL extension). */
    public boolean namesDeltas() {
        return namesDeltas;
    }

    /** The http:// and https:// URLs of its Freshest CRL extension, where its deltas are published. */
    public @NotNull java.util.List<java.net.URI> freshest() {
        return freshest;
    }

    /** Which certificates of its issuer it covers. */
    public @NotNull CrlScope scope() {
        return scope;
    }

    /**
     * The key under which it is kept, rollback-protected and replaced: its issuer's key for a complete
     * CRL, and issuer and scope for a partition (CRL numbers increase within one scope).
     */
    public @NotNull String key() {
        return isDelta() ? baseKey() + "|delta" : baseKey();
    }

    /** The key of the complete CRL of its issuer and scope (its own key for a complete CRL). */
    public @NotNull String baseKey() {
        return scope.isComplete() ? issuerKey : issuerKey + "|" + scope.key();
    }

    /** Where it was loaded from. */
    public @NotNull String source() {
        return source;
    }

    /** SHA-256 of the CRL's DER encoding: two CRLs are the same CRL only when these are equal. */
    public byte @NotNull [] sha256() {
        return sha256.clone();
    }

    /** Whether {@code other} is byte for byte this CRL. */
    public boolean sameBytes(final @NotNull VerifiedCrl other) {
        return Arrays.equals(sha256, other.sha256);
    }

    /** Whether this CRL was issued after {@code other}: by CRL number when both have one, else by thisUpdate. */
    public boolean isNewerThan(final @NotNull VerifiedCrl other) {
        if (number != null && other.number != null) {
            return number.compareTo(other.number) > 0;
        }
        return thisUpdate.isAfter(other.thisUpdate);
    }

    /** Whether it is older than {@code other} (a rollback). Equal CRLs are neither. */
    public boolean isOlderThan(final @NotNull VerifiedCrl other) {
        if (number != null && other.number != null) {
            return number.compareTo(other.number) < 0;
        }
        return thisUpdate.isBefore(other.thisUpdate);
    }
}
