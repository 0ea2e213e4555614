package dev.certguard.crl.verify;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.path.Authority;
import dev.certguard.signature.PssSignatures;
import dev.certguard.text.UntrustedText;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Decides whether a parsed CRL may be used: issued by one of the configured CAs (subject equals the
 * CRL's issuer, key usage allows CRL signing, signature verifies over the signed part with the same
 * algorithm inside and outside it), {@code thisUpdate} not in the future (beyond a small clock
 * skew), a {@code nextUpdate} after {@code thisUpdate} that has not passed by more than the grace period, and no extension
 * certguard does not understand (indirect CRLs, unknown critical ones). A partitioned CRL's Issuing
 * Distribution Point gives its {@link CrlScope}; a delta CRL must follow RFC 5280 5.2.4.
 * Immutable; thread-safe.
 */
public final class CrlVerifier {

    /** Clock difference tolerated between the CA and this broker for {@code thisUpdate}. */
    public static final Duration CLOCK_SKEW = Duration.ofMinutes(1);

    private static final Map<String, String> SIGNATURES = Map.ofEntries(
            Map.entry("1.2.840.113549.1.1.5", "SHA1withRSA"),
            Map.entry("1.2.840.113549.1.1.11", "SHA256withRSA"),
            Map.entry("1.2.840.113549.1.1.12", "SHA384withRSA"),
            Map.entry("1.2.840.113549.1.1.13", "SHA512withRSA"),
            Map.entry("1.2.840.113549.1.1.10", "RSASSA-PSS"),
            Map.entry("1.2.840.10045.4.1", "SHA1withECDSA"),
            Map.entry("1.2.840.10045.4.3.2", "SHA256withECDSA"),
            Map.entry("1.2.840.10045.4.3.3", "SHA384withECDSA"),
            Map.entry("1.2.840.10045.4.3.4", "SHA512withECDSA"),
            Map.entry("1.3.101.112", "Ed25519"),
            Map.entry("1.3.101.113", "Ed448"));

    private final @NotNull List<X509Certificate> authorities;
    private final @NotNull Duration grace;

    public CrlVerifier(final @NotNull List<X509Certificate> authorities, final @NotNull Duration grace) {
        this.authorities = List.copyOf(authorities);
        this.grace = grace;
    }

    public @NotNull VerifiedCrl verify(
            final @NotNull ParsedCrl crl, final @NotNull String source, final @NotNull Instant now)
            throws CrlVerificationException {
        final List<X509Certificate> issuers = new ArrayList<>();
        for (final X509Certificate authority : authorities) {
            if (authority.getSubjectX500Principal().equals(crl.issuer())) {
                issuers.add(authority);
            }
        }
        if (issuers.isEmpty()) {
            throw new CrlVerificationException(
                    "issuer '" + UntrustedText.name(crl.issuer()) + "' is not one of the configured ca-certificates");
        }
        if (!Arrays.equals(crl.innerAlgorithm, crl.outerAlgorithm)) {
            throw new CrlVerificationException("signature algorithm inside the signed part differs from the outer one");
        }
        final X509Certificate signer = signerOf(crl, issuers);
        if (signer == null) {
            throw new CrlVerificationException("signature does not verify with the key of any configured CA named '"
                    + UntrustedText.name(crl.issuer()) + "'");
        }
        if (!crl.unsupportedExtensions.isEmpty()) {
            throw new CrlVerificationException("unsupported: " + String.join(", ", crl.unsupportedExtensions));
        }
        // Decoded only now that the CA's signature vouches for the bytes.
        final CrlScope scope =
                crl.issuingDistributionPoint == null ? CrlScope.COMPLETE : CrlScope.of(crl.issuingDistributionPoint);
        if (crl.deltaBase != null) {
            // RFC 5280 5.2.4: a delta names its base by number, is numbered itself, and is never
            // ignored by a checker that does not understand it (critical).
            if (!crl.deltaCritical) {
                throw new CrlVerificationException("deltaCRLIndicator is not marked critical (RFC 5280 5.2.4)");
            }
            if (crl.number() == null) {
                throw new CrlVerificationException("delta CRL without a CRL number (RFC 5280 5.2.4)");
            }
            if (crl.freshestCrl != null) {
                throw new CrlVerificationException("delta CRL names a Freshest CRL (RFC 5280 5.2.6)");
            }
            if (crl.deltaBase.compareTo(crl.number()) >= 0) {
                throw new CrlVerificationException(
                        "delta CRL number " + crl.number() + " is not above its BaseCRLNumber " + crl.deltaBase);
            }
        }
        // A numbered CRL from "the future" is used: refusing it would keep an older CRL and leave its
        // new revocations out (fail-open) while this broker's clock is behind; the number still orders
        // it for rollback protection. Without a number, thisUpdate is the only order, and a CA clock
        // that ran ahead would lock every later CRL out, so such a CRL is refused.
        if (crl.thisUpdate().isAfter(now.plus(CLOCK_SKEW)) && crl.number() == null) {
            throw new CrlVerificationException("thisUpdate " + crl.thisUpdate()
                    + " is in the future and the CRL has no CRL number to order it by; check this broker's clock");
        }
        if (crl.nextUpdate() == null) {
            throw new CrlVerificationException("no nextUpdate: certguard cannot tell when it stops being current");
        }
        if (!crl.nextUpdate().isAfter(crl.thisUpdate())) {
            throw new CrlVerificationException("nextUpdate " + crl.nextUpdate() + " is not after thisUpdate "
                    + crl.thisUpdate() + ": the CRL is never current");
        }
        if (crl.nextUpdate().plus(grace).isBefore(now)) {
            throw new CrlVerificationException(
                    "expired: nextUpdate " + crl.nextUpdate() + " plus grace " + grace.getSeconds() + " s has passed");
        }
        return new VerifiedCrl(crl, source, Authority.key(crl.issuer(), signer.getPublicKey()), scope);
    }

    private static X509Certificate signerOf(final ParsedCrl crl, final List<X509Certificate> issuers)
            throws CrlVerificationException {
        final String algorithm = SIGNATURES.getOrDefault(crl.signatureOid, crl.signatureOid);
        for (final X509Certificate issuer : issuers) {
            final boolean[] keyUsage = issuer.getKeyUsage();
            if (keyUsage != null && (keyUsage.length < 7 || !keyUsage[6])) {
                continue;
            }
            try {
                final Signature signature;
                if ("RSASSA-PSS".equals(algorithm)) {
                    if (crl.signatureParameters == null) {
                        continue;
                    }
                    signature = PssSignatures.verifier(issuer.getPublicKey(), crl.signatureParameters);
                } else {
                    signature = Signature.getInstance(algorithm);
                    signature.initVerify(issuer.getPublicKey());
                }
                signature.update(crl.der, crl.tbsStart, crl.tbsEnd - crl.tbsStart);
                if (signature.verify(crl.signature)) {
                    return issuer;
                }
            } catch (final java.security.NoSuchAlgorithmException e) {
                throw new CrlVerificationException(
                        "signature algorithm " + crl.signatureOid + " is not supported by this JVM");
            } catch (final GeneralSecurityException | IllegalArgumentException e) {
                // Wrong key type or malformed signature for this candidate: try the next one.
            }
        }
        return null;
    }
}
