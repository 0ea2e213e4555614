package dev.certguard.crl.verify;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.path.CertificatePoints;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.IssuingDistributionPoint;
import org.bouncycastle.asn1.x509.ReasonFlags;

/**
 * Which certificates of its issuer a CRL covers, from its Issuing Distribution Point (RFC 5280
 * 5.2.5): a CRL without one ({@link #COMPLETE}) covers all of them for every reason; a partition
 * covers only certificates whose CRL Distribution Point it names (or all, when it names none), only
 * end entities or only CAs when it says so, and only the reasons it lists. Immutable; thread-safe.
 */
public final class CrlScope {

    /** A complete CRL: no Issuing Distribution Point. */
    public static final CrlScope COMPLETE = new CrlScope("", List.of(), false, false, CertificatePoints.ALL_REASONS);

    private final @NotNull String key;
    private final @NotNull List<String> names;
    private final boolean userOnly;
    private final boolean caOnly;
    private final int reasons;

    private CrlScope(
            final @NotNull String key,
            final @NotNull List<String> names,
            final boolean userOnly,
            final boolean caOnly,
            final int reasons) {
        this.key = key;
        this.names = List.copyOf(names);
        this.userOnly = userOnly;
        this.caOnly = caOnly;
        this.reasons = reasons;
    }

    /**
     * The scope an Issuing Distribution Point gives (its DER, the extension's value). Called only on a
     * CRL whose signature verified. Indirect CRLs, attribute-certificate CRLs and names relative to
     * the CRL issuer are refused, as is an IDP that asserts two of the {@code only...} flags.
     */
    static @NotNull CrlScope of(final byte @NotNull [] der) throws CrlVerificationException {
        final IssuingDistributionPoint idp;
        try {
            idp = IssuingDistributionPoint.getInstance(ASN1Primitive.fromByteArray(der));
        } catch (final IOException | RuntimeException e) {
            throw new CrlVerificationException("issuingDistributionPoint cannot be decoded");
        }
        if (idp == null) {
            // An ASN.1 NULL where the SEQUENCE belongs (found by fuzzing): BouncyCastle reads it as no value.
            throw new CrlVerificationException("issuingDistributionPoint cannot be decoded");
        }
        if (idp.isIndirectCRL()) {
            throw new CrlVerificationException(
                    "issuingDistributionPoint says indirectCRL (indirect CRLs are not supported)");
        }
        if (idp.onlyContainsAttributeCerts()) {
            throw new CrlVerificationException(
                    "issuingDistributionPoint says onlyContainsAttributeCerts: it covers no client certificate");
        }
        if (idp.onlyContainsUserCerts() && idp.onlyContainsCACerts()) {
            throw new CrlVerificationException(
                    "issuingDistributionPoint says both onlyContainsUserCerts and onlyContainsCACerts (RFC 5280 5.2.5)");
        }
        final List<String> names = new ArrayList<>();
        final DistributionPointName point = idp.getDistributionPoint();
        if (point != null) {
            if (point.getType() != DistributionPointName.FULL_NAME) {
                throw new CrlVerificationException(
                        "issuingDistributionPoint names its partition relative to the CRL issuer (not supported)");
            }
            for (final GeneralName name :
                    GeneralNames.getInstance(point.getName()).getNames()) {
                names.add(CertificatePoints.nameOf(name));
            }
        }
        final ReasonFlags only = idp.getOnlySomeReasons();
        final int reasons =
                only == null ? CertificatePoints.ALL_REASONS : only.intValue() & CertificatePoints.ALL_REASONS;
        final byte[] encoded;
        try {
            encoded = idp.getEncoded("DER");
        } catch (final IOException e) {
            throw new CrlVerificationException("issuingDistributionPoint cannot be encoded");
        }
        return new CrlScope(
                "idp:" + hex(sha256(encoded), 16),
                names,
                idp.onlyContainsUserCerts(),
                idp.onlyContainsCACerts(),
                reasons);
    }

    private static byte[] sha256(final byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    private static String hex(final byte[] bytes, final int count) {
        final StringBuilder out = new StringBuilder();
        for (int i = 0; i < count; i++) {
            out.append(Character.forDigit((bytes[i] >> 4) & 0xf, 16)).append(Character.forDigit(bytes[i] & 0xf, 16));
        }
        return out.toString();
    }

    /** Empty for {@link #COMPLETE}; otherwise stable for equal Issuing Distribution Points. */
    public @NotNull String key() {
        return key;
    }

    public boolean isComplete() {
        return key.isEmpty();
    }

    /** The distribution point names it is for; empty when it names none (it then covers by flags only). */
    public @NotNull List<String> names() {
        return names;
    }

    /** The reasons it covers, as a {@link ReasonFlags} mask. */
    public int reasons() {
        return reasons;
    }

    /** Whether it covers a certificate that is ({@code ca}) or is not a CA, flags only. */
    public boolean covers(final boolean ca) {
        return ca ? !userOnly : !caOnly;
    }

    @Override
    public @NotNull String toString() {
        if (isComplete()) {
            return "complete";
        }
        return "partition " + (names.isEmpty() ? "(no name)" : String.join(" ", names))
                + (userOnly ? ", end entities only" : "") + (caOnly ? ", CAs only" : "")
                + (reasons == CertificatePoints.ALL_REASONS ? "" : ", reasons 0x" + Integer.toHexString(reasons));
    }
}
