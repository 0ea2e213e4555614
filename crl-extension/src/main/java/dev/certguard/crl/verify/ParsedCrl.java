package dev.certguard.crl.verify;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import javax.security.auth.x500.X500Principal;

/**
 * A CRL as read from PEM or DER bytes, not yet verified: its signed part's bounds, signature, issuer,
 * times, number, critical extensions and the compact index of revoked serials.
 * Immutable; thread-safe.
 */
public final class ParsedCrl {

    private static final String PEM_BEGIN = "-----BEGIN X509 CRL-----";
    private static final String PEM_END = "-----END X509 CRL-----";
    private static final String NSS_BEGIN = "-----BEGIN CRL-----";
    private static final String NSS_END = "-----END CRL-----";
    static final String CRL_NUMBER = "2.5.29.20";
    static final String ISSUING_DISTRIBUTION_POINT = "2.5.29.28";
    static final String DELTA_CRL_INDICATOR = "2.5.29.27";
    static final String FRESHEST_CRL = "2.5.29.46";
    static final String REASON_CODE = "2.5.29.21";
    /** CRLReason certificateHold and removeFromCRL (RFC 5280 5.3.1). */
    private static final int CERTIFICATE_HOLD = 6;

    private static final int REMOVE_FROM_CRL = 8;
    private static final int MAX_NOTED = 8;

    final byte[] der;
    final int tbsStart;
    final int tbsEnd;
    final byte[] innerAlgorithm;
    final byte[] outerAlgorithm;
    final @NotNull String signatureOid;
    final byte @Nullable [] signatureParameters;
    final byte[] signature;
    private final @NotNull X500Principal issuer;
    private final @NotNull Instant thisUpdate;
    private final @Nullable Instant nextUpdate;
    private final @Nullable BigInteger number;
    final @NotNull List<String> unsupportedExtensions;
    private final @NotNull RevocationIndex revoked;
    /** The Issuing Distribution Point's DER, decoded only after the signature verified; or {@code null}. */
    final byte @Nullable [] issuingDistributionPoint;
    /** A delta CRL's BaseCRLNumber, or {@code null} for a complete CRL. */
    final @Nullable BigInteger deltaBase;
    /** Whether the deltaCRLIndicator is marked critical, as RFC 5280 5.2.4 requires. */
    final boolean deltaCritical;
    /** The Freshest CRL extension's DER (where the deltas are), or {@code null}. */
    final byte @Nullable [] freshestCrl;
    /** Serials listed with reason certificateHold. */
    private final @NotNull RevocationIndex held;
    /** A delta's serials listed with reason removeFromCRL (a complete CRL counts them revoked). */
    private final @NotNull RevocationIndex lifted;

    private ParsedCrl(
            final byte[] der,
            final int tbsStart,
            final int tbsEnd,
            final byte[] innerAlgorithm,
            final byte[] outerAlgorithm,
            final String signatureOid,
            final byte[] signatureParameters,
            final byte[] signature,
            final X500Principal issuer,
            final Instant thisUpdate,
            final Instant nextUpdate,
            final BigInteger number,
            final List<String> unsupportedExtensions,
            final RevocationIndex revoked,
            final byte[] issuingDistributionPoint,
            final BigInteger deltaBase,
            final boolean deltaCritical,
            final byte[] freshestCrl,
            final RevocationIndex held,
            final RevocationIndex lifted) {
        this.der = der;
        this.tbsStart = tbsStart;
        this.tbsEnd = tbsEnd;
        this.innerAlgorithm = innerAlgorithm;
        this.outerAlgorithm = outerAlgorithm;
        this.signatureOid = signatureOid;
        this.signatureParameters = signatureParameters;
        this.signature = signature;
        this.issuer = issuer;
        this.thisUpdate = thisUpdate;
        this.nextUpdate = nextUpdate;
        this.number = number;
        this.unsupportedExtensions = List.copyOf(unsupportedExtensions);
        this.revoked = revoked;
        this.issuingDistributionPoint = issuingDistributionPoint;
        this.deltaBase = deltaBase;
        this.deltaCritical = deltaCritical;
        this.freshestCrl = freshestCrl;
        this.held = held;
        this.lifted = lifted;
    }

    /**
     * Parses a CRL given as DER, as PEM ({@code -----BEGIN X509 CRL-----}, or NSS's {@code -----BEGIN
     * CRL-----}), or as bare base64 of the DER (what {@code cfssl gencrl} prints).
     */
    public static @NotNull ParsedCrl parse(final byte @NotNull [] bytes) throws CrlFormatException {
        return parseDer(pemOrDer(bytes));
    }

    private static byte[] pemOrDer(final byte[] bytes) throws CrlFormatException {
        if (bytes.length == 0) {
            throw new CrlFormatException("empty: no CRL data");
        }
        if (bytes[0] == Der.SEQUENCE) {
            return bytes;
        }
        final String text = new String(bytes, StandardCharsets.ISO_8859_1);
        final boolean nss = !text.contains(PEM_BEGIN) && text.contains(NSS_BEGIN);
        final String begun = nss ? NSS_BEGIN : PEM_BEGIN;
        final String ending = nss ? NSS_END : PEM_END;
        final int begin = text.indexOf(begun);
        if (begin < 0) {
            final byte[] bare = bareBase64(text);
            if (bare != null) {
                return bare;
            }
            throw new CrlFormatException("neither DER, nor base64 of DER, nor a PEM '" + PEM_BEGIN + "' block");
        }
        final int body = begin + begun.length();
        final int end = text.indexOf(ending, body);
        if (end < 0) {
            throw new CrlFormatException(
                    text.lastIndexOf(ending, begin) >= 0
                            ? "PEM block reversed: '" + ending + "' comes before '" + begun + "'"
                            : "PEM block has no '" + ending + "' after its '" + begun + "'");
        }
        final byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(text.substring(body, end));
        } catch (final IllegalArgumentException e) {
            throw new CrlFormatException("PEM block is not valid base64");
        }
        if (der.length == 0) {
            throw new CrlFormatException("PEM block is empty");
        }
        return der;
    }

    /**
     * The DER of a text that is nothing but base64 (line breaks and surrounding blanks allowed) of a
     * DER SEQUENCE, or {@code null}: anything else is not taken for a CRL.
     */
    private static byte @Nullable [] bareBase64(final String text) {
        final String trimmed = text.strip();
        if (trimmed.isEmpty()) {
            return null;
        }
        for (int i = 0; i < trimmed.length(); i++) {
            final char c = trimmed.charAt(i);
            final boolean base64 = (c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || c == '+'
                    || c == '/'
                    || c == '=';
            if (!base64 && c != '\n' && c != '\r') {
                return null;
            }
        }
        try {
            final byte[] der = Base64.getMimeDecoder().decode(trimmed);
            return der.length > 0 && der[0] == Der.SEQUENCE ? der : null;
        } catch (final IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The cRLNumber extension's value, which must be exactly one DER INTEGER (NSS's {@code crlutil}
     * has been seen writing a bare byte): named in the message, since the number orders CRLs.
     */
    private static BigInteger crlNumber(final byte[] der, final Der.Tlv value) throws CrlFormatException {
        return integer(der, value, "cRLNumber");
    }

    private static BigInteger integer(final byte[] der, final Der.Tlv value, final String name)
            throws CrlFormatException {
        final byte[] encoded;
        try {
            final Der inner = new Der(der, value.valueStart, value.end);
            encoded = value(der, inner.expect(Der.INTEGER, name));
            if (inner.hasMore()) {
                throw new CrlFormatException("data after the INTEGER");
            }
        } catch (final CrlFormatException e) {
            throw new CrlFormatException(name + " is not a DER INTEGER (" + e.getMessage() + ")");
        }
        if (encoded.length == 0) {
            throw new CrlFormatException("empty " + name);
        }
        return new BigInteger(encoded);
    }

    /** An entry's CRLReason (an ENUMERATED), or -1 when it is not one. */
    private static int reasonCode(final byte[] der, final Der.Tlv value) {
        final int start = value.valueStart;
        if (value.end - start == 3 && der[start] == 0x0a && der[start + 1] == 1) {
            return der[start + 2];
        }
        return -1;
    }

    private static ParsedCrl parseDer(final byte[] der) throws CrlFormatException {
        final Der top = new Der(der, 0, der.length);
        final Der.Tlv certList = top.expect(Der.SEQUENCE, "CertificateList");
        if (top.hasMore()) {
            throw new CrlFormatException("trailing data after the CRL");
        }
        final Der list = top.inside(certList);
        final Der.Tlv tbs = list.expect(Der.SEQUENCE, "tbsCertList");
        final Der.Tlv outerAlgorithm = list.expect(Der.SEQUENCE, "signatureAlgorithm");
        final Der.Tlv signatureBits = list.expect(Der.BIT_STRING, "signatureValue");
        if (signatureBits.length() < 2 || der[signatureBits.valueStart] != 0) {
            throw new CrlFormatException("signatureValue is not a whole number of bytes");
        }
        final Der algorithm = list.inside(outerAlgorithm);
        final String oid = Der.oid(der, algorithm.expect(Der.OID, "signature algorithm"));
        final byte[] parameters = algorithm.hasMore() ? slice(der, algorithm.next()) : null;

        final Der fields = list.inside(tbs);
        if (fields.peekTag() == Der.INTEGER) {
            fields.next();
        }
        final Der.Tlv innerAlgorithm = fields.expect(Der.SEQUENCE, "tbsCertList.signature");
        final Der.Tlv issuerName = fields.expect(Der.SEQUENCE, "issuer");
        final X500Principal issuer;
        try {
            issuer = new X500Principal(slice(der, issuerName));
        } catch (final RuntimeException e) {
            throw new CrlFormatException("issuer name cannot be decoded");
        }
        final Instant thisUpdate = fields.time("thisUpdate");
        Instant nextUpdate = null;
        if (fields.hasMore() && (fields.peekTag() == Der.UTC_TIME || fields.peekTag() == Der.GENERALIZED_TIME)) {
            nextUpdate = fields.time("nextUpdate");
        }
        final List<String> unsupported = new ArrayList<>();
        final Entries entries = new Entries(fields.data);
        if (fields.hasMore() && fields.peekTag() == Der.SEQUENCE) {
            entries(fields, fields.next(), unsupported, entries);
        }
        BigInteger number = null;
        byte[] issuingDistributionPoint = null;
        BigInteger deltaBase = null;
        boolean deltaCritical = false;
        byte[] freshestCrl = null;
        if (fields.hasMore() && fields.peekTag() == 0xa0) {
            final java.util.Set<String> seen = new java.util.HashSet<>();
            final Der explicit = fields.inside(fields.next());
            final Der extensions = explicit.inside(explicit.expect(Der.SEQUENCE, "crlExtensions"));
            while (extensions.hasMore()) {
                final Der extension = extensions.inside(extensions.expect(Der.SEQUENCE, "extension"));
                final String id = Der.oid(der, extension.expect(Der.OID, "extension id"));
                final boolean critical = extension.peekTag() == Der.BOOLEAN && der[extension.next().valueStart] != 0;
                final Der.Tlv value = extension.expect(Der.OCTET_STRING, "extension value");
                if (!seen.add(id)) {
                    // RFC 5280 4.2: an extension appears at most once; a second scope or number could
                    // make a checker and the CA disagree about what the CRL says.
                    throw new CrlFormatException("extension " + id + " appears twice");
                }
                if (CRL_NUMBER.equals(id)) {
                    number = crlNumber(der, value);
                } else if (ISSUING_DISTRIBUTION_POINT.equals(id)) {
                    issuingDistributionPoint = value(der, value);
                } else if (DELTA_CRL_INDICATOR.equals(id)) {
                    deltaBase = integer(der, value, "BaseCRLNumber");
                    deltaCritical = critical;
                } else if (FRESHEST_CRL.equals(id)) {
                    freshestCrl = value(der, value);
                } else if (critical && !"2.5.29.35".equals(id)) {
                    unsupported(unsupported, id);
                }
            }
        }
        if (fields.hasMore()) {
            throw new CrlFormatException("unexpected data at the end of tbsCertList");
        }
        return new ParsedCrl(
                der,
                tbs.start,
                tbs.end,
                slice(der, innerAlgorithm),
                slice(der, outerAlgorithm),
                oid,
                parameters,
                Arrays.copyOfRange(der, signatureBits.valueStart + 1, signatureBits.end),
                issuer,
                thisUpdate,
                nextUpdate,
                number,
                unsupported,
                entries.revoked(deltaBase != null),
                issuingDistributionPoint,
                deltaBase,
                deltaCritical,
                freshestCrl,
                entries.held.build(),
                deltaBase != null ? entries.removed.build() : RevocationIndex.EMPTY);
    }

    /** The serials of a CRL's entries, by what their reason code makes of them. Not thread-safe. */
    private static final class Entries {
        final byte[] der;
        /** A revoked entry is at least ~16 bytes: its length over 24 is a good first guess of the count. */
        RevocationIndex.Builder revoked = new RevocationIndex.Builder(0);

        final RevocationIndex.Builder held = new RevocationIndex.Builder(0);
        /** Serials of hold entries, before those also listed for another reason are set aside. */
        final java.util.Set<BigInteger> holds = new java.util.HashSet<>();

        final RevocationIndex.Builder removed = new RevocationIndex.Builder(0);
        /** removeFromCRL serials, added to the revoked ones of a complete CRL. */
        final List<int[]> removedRanges = new ArrayList<>();

        Entries(final byte[] der) {
            this.der = der;
        }

        /**
         * The revoked serials: in a delta, removeFromCRL entries lift a hold instead; in a complete CRL,
         * where RFC 5280 5.3.1 does not allow that reason, they count as revoked (fail closed).
         */
        RevocationIndex revoked(final boolean delta) {
            if (!delta) {
                for (final int[] range : removedRanges) {
                    revoked.add(der, range[0], range[1]);
                }
            }
            return revoked.build();
        }
    }

    private static void entries(final Der fields, final Der.Tlv list, final List<String> unsupported, final Entries out)
            throws CrlFormatException {
        final Der entries = fields.inside(list);
        out.revoked = new RevocationIndex.Builder(list.length() / 24);
        final byte[] der = fields.data;
        while (entries.hasMore()) {
            final Der entry = entries.inside(entries.expect(Der.SEQUENCE, "revoked entry"));
            final Der.Tlv serial = entry.expect(Der.INTEGER, "userCertificate");
            if (serial.length() == 0) {
                throw new CrlFormatException("empty serial number in a revoked entry");
            }
            final int reason = reasonOf(entry, der, unsupported);
            if (reason == REMOVE_FROM_CRL) {
                out.removed.add(der, serial.valueStart, serial.end);
                out.removedRanges.add(new int[] {serial.valueStart, serial.end});
                continue;
            }
            if (reason == CERTIFICATE_HOLD) {
                out.holds.add(new BigInteger(value(der, serial)));
            }
            out.revoked.add(der, serial.valueStart, serial.end);
        }
        if (out.holds.isEmpty()) {
            return;
        }
        // A serial held in one entry but revoked for another reason in a second one is no hold: a
        // delta's removeFromCRL must not lift that revocation. Holds are rare: a second pass then.
        final Der again = fields.inside(list);
        while (again.hasMore()) {
            final Der entry = again.inside(again.next());
            final Der.Tlv serial = entry.next();
            final int reason = reasonOf(entry, der, null);
            if (reason != CERTIFICATE_HOLD && reason != REMOVE_FROM_CRL) {
                out.holds.remove(new BigInteger(value(der, serial)));
            }
        }
        for (final BigInteger held : out.holds) {
            final byte[] bytes = held.toByteArray();
            out.held.add(bytes, 0, bytes.length);
        }
    }

    /** Marks an entry whose reason codes disagree (a CA quirk): a plain revocation, never a hold. */
    private static final int MIXED_REASONS = -2;

    /**
     * An entry's CRLReason after its serial (its revocationDate and extensions are read), -1 when it
     * gives none; notes unsupported entry extensions when {@code unsupported} is given.
     */
    private static int reasonOf(final Der entry, final byte[] der, final List<String> unsupported)
            throws CrlFormatException {
        entry.time("revocationDate");
        int reason = -1;
        if (entry.hasMore()) {
            final Der extensions = entry.inside(entry.expect(Der.SEQUENCE, "crlEntryExtensions"));
            while (extensions.hasMore()) {
                final Der extension = extensions.inside(extensions.expect(Der.SEQUENCE, "entry extension"));
                final String id = Der.oid(der, extension.expect(Der.OID, "entry extension id"));
                final boolean critical = extension.peekTag() == Der.BOOLEAN && der[extension.next().valueStart] != 0;
                final Der.Tlv value = extension.expect(Der.OCTET_STRING, "entry extension value");
                if ("2.5.29.29".equals(id) || critical) {
                    if (unsupported != null) {
                        unsupported(unsupported, id);
                    }
                } else if (REASON_CODE.equals(id)) {
                    final int code = reasonCode(der, value);
                    reason = reason == -1 || reason == code ? code : MIXED_REASONS;
                }
            }
        }
        return reason;
    }

    /**
     * Notes an extension certguard does not support, once, and at most {@value #MAX_NOTED} of them: a
     * CRL can carry a different critical extension on every entry, and noting each would cost time
     * quadratic in the entries (and an unbounded message) before its signature is even checked.
     */
    private static void unsupported(final List<String> unsupported, final String oid) {
        final String description = describe(oid);
        if (unsupported.size() < MAX_NOTED && !unsupported.contains(description)) {
            unsupported.add(description);
        } else if (unsupported.size() == MAX_NOTED && !unsupported.contains(description)) {
            unsupported.add("more");
        }
    }

    private static String describe(final String oid) {
        switch (oid) {
            case "2.5.29.27":
                return "deltaCRLIndicator (delta CRLs are not supported)";
            case "2.5.29.28":
                return "issuingDistributionPoint (partitioned CRLs are not supported)";
            case "2.5.29.29":
                return "certificateIssuer (indirect CRLs are not supported)";
            default:
                return "critical extension " + oid;
        }
    }

    /** The whole encoding of an element, tag and length included. */
    private static byte[] slice(final byte[] der, final Der.Tlv tlv) {
        return Arrays.copyOfRange(der, tlv.start, tlv.end);
    }

    private static byte[] value(final byte[] der, final Der.Tlv tlv) {
        return Arrays.copyOfRange(der, tlv.valueStart, tlv.end);
    }

    public @NotNull X500Principal issuer() {
        return issuer;
    }

    public @NotNull Instant thisUpdate() {
        return thisUpdate;
    }

    public @Nullable Instant nextUpdate() {
        return nextUpdate;
    }

    /** The cRLNumber extension, or {@code null}. */
    public @Nullable BigInteger number() {
        return number;
    }

    public @NotNull RevocationIndex revoked() {
        return revoked;
    }

    /** Serials listed on hold ({@code certificateHold}). */
    @NotNull RevocationIndex held() {
        return held;
    }

    /** A delta's serials whose hold it lifts ({@code removeFromCRL}). */
    @NotNull RevocationIndex lifted() {
        return lifted;
    }
}
