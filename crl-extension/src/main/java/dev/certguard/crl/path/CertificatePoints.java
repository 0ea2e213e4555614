package dev.certguard.crl.path;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.net.URI;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.bouncycastle.asn1.ASN1IA5String;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.CRLDistPoint;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.bouncycastle.asn1.x509.DistributionPointName;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.ReasonFlags;

/**
 * The CRL Distribution Points a certificate names (RFC 5280 4.2.1.13): for each, its full names
 * (the key a partitioned CRL's Issuing Distribution Point must match), the revocation reasons it is
 * for, and whether its CRL comes from another issuer (an indirect CRL, which certguard does not
 * use). A missing or undecodable extension names nothing, so only CRLs that name no distribution
 * point can cover the certificate. Immutable; thread-safe.
 */
public final class CertificatePoints {

    /** Every revocation reason of RFC 5280 5.3.1 as a {@link ReasonFlags} mask ({@code unused} excluded). */
    public static final int ALL_REASONS = 0x807F;

    private static final String CRL_DISTRIBUTION_POINTS = "2.5.29.31";

    /** A certificate that names no distribution point. */
    public static final CertificatePoints NONE = new CertificatePoints(List.of(), List.of());

    /** One distribution point. Immutable. */
    public static final class Point {
        private final @NotNull List<String> names;
        private final int reasons;
        private final boolean indirect;

        Point(final @NotNull List<String> names, final int reasons, final boolean indirect) {
            this.names = List.copyOf(names);
            this.reasons = reasons;
            this.indirect = indirect;
        }

        /** Its full names, each as {@link #nameOf(GeneralName)} writes it; empty when it has none. */
        public @NotNull List<String> names() {
            return names;
        }

        /** The reasons its CRL is for ({@link #ALL_REASONS} when it does not say). */
        public int reasons() {
            return reasons;
        }

        /** Whether its CRL is issued by another CA ({@code cRLIssuer}): an indirect CRL. */
        public boolean indirect() {
            return indirect;
        }
    }

    private final @NotNull List<Point> points;
    private final @NotNull List<URI> fetchable;

    private CertificatePoints(final @NotNull List<Point> points, final @NotNull List<URI> fetchable) {
        this.points = List.copyOf(points);
        this.fetchable = List.copyOf(fetchable);
    }

    /** The distribution points {@code certificate} names. */
    public static @NotNull CertificatePoints of(final @NotNull X509Certificate certificate) {
        final byte[] extension = certificate.getExtensionValue(CRL_DISTRIBUTION_POINTS);
        if (extension == null) {
            return NONE;
        }
        try {
            return parse(
                    ASN1OctetString.getInstance(extension).getOctets(),
                    org.bouncycastle.asn1.x500.X500Name.getInstance(
                            certificate.getIssuerX500Principal().getEncoded()));
        } catch (final RuntimeException malformed) {
            return NONE;
        }
    }

    /**
     * The distribution points in {@code value}, the DER of a CRLDistributionPoints syntax (a
     * certificate's CRL Distribution Points, or a Freshest CRL extension's value), whose CRLs
     * {@code issuer} signs unless a cRLIssuer says otherwise; {@link #NONE} when it does not decode.
     */
    public static @NotNull CertificatePoints parse(
            final byte @NotNull [] value, final org.bouncycastle.asn1.x500.@NotNull X500Name issuer) {
        try {
            final CRLDistPoint distribution = CRLDistPoint.getInstance(value);
            final List<Point> points = new ArrayList<>();
            final List<URI> fetchable = new ArrayList<>();
            for (final DistributionPoint point : distribution.getDistributionPoints()) {
                final boolean indirect = point.getCRLIssuer() != null && !namesOnly(point.getCRLIssuer(), issuer);
                final ReasonFlags reasons = point.getReasons();
                final List<String> names = new ArrayList<>();
                final DistributionPointName name = point.getDistributionPoint();
                if (name != null && name.getType() == DistributionPointName.FULL_NAME) {
                    for (final GeneralName general :
                            GeneralNames.getInstance(name.getName()).getNames()) {
                        names.add(nameOf(general));
                        final URI uri = httpUri(general);
                        if (uri != null && !indirect) {
                            fetchable.add(uri);
                        }
                    }
                }
                points.add(
                        new Point(names, reasons == null ? ALL_REASONS : reasons.intValue() & ALL_REASONS, indirect));
            }
            return new CertificatePoints(points, fetchable);
        } catch (final RuntimeException malformed) {
            // BouncyCastle reports malformed DER as IllegalArgumentException or IllegalStateException.
            return NONE;
        }
    }

    /** Whether a cRLIssuer names only the certificate's own issuer (some CAs write it): then it is direct. */
    private static boolean namesOnly(final GeneralNames crlIssuer, final org.bouncycastle.asn1.x500.X500Name issuer) {
        for (final GeneralName name : crlIssuer.getNames()) {
            if (name.getTagNo() != GeneralName.directoryName
                    || !org.bouncycastle.asn1.x500.X500Name.getInstance(name.getName())
                            .equals(issuer)) {
                return false;
            }
        }
        return crlIssuer.getNames().length > 0;
    }

    /**
     * How a distribution point's name is compared: a URI by its exact text (as AWS Private CA and RFC
     * 5280 6.3.3 compare them), any other name by its DER encoding.
     */
    public static @NotNull String nameOf(final @NotNull GeneralName name) {
        if (name.getTagNo() == GeneralName.uniformResourceIdentifier) {
            return "uri:" + ASN1IA5String.getInstance(name.getName()).getString();
        }
        try {
            final StringBuilder out = new StringBuilder("gn:");
            for (final byte b : name.getEncoded("DER")) {
                out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
            }
            return out.toString();
        } catch (final java.io.IOException e) {
            throw new IllegalStateException("a decoded name re-encodes", e);
        }
    }

    private static URI httpUri(final GeneralName name) {
        if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
            return null;
        }
        final String text = ASN1IA5String.getInstance(name.getName()).getString();
        final String lower = text.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
            return null;
        }
        try {
            return URI.create(text);
        } catch (final IllegalArgumentException malformed) {
            return null;
        }
    }

    /** The distribution points, in the certificate's order. */
    public @NotNull List<Point> points() {
        return points;
    }

    /** The {@code http://} and {@code https://} full-name URIs of its direct distribution points. */
    public @NotNull List<URI> fetchable() {
        return fetchable;
    }
}
