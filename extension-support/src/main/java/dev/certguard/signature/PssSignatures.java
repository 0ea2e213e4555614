package dev.certguard.signature;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.InvalidAlgorithmParameterException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;

/**
 * RSASSA-PSS verification on the JVM's providers, with the signer's parameters bounded before any
 * provider sees them (CRLs and OCSP answers in crl-extension, CSRs in {@code pki sign}): the hash is SHA-256, SHA-384 or SHA-512 (MGF1 with one of them), the trailer
 * the standard one, and the salt no longer than the key leaves room for (RFC 8017 §9.1.1). A salt
 * length is attacker-chosen (a CRL or an OCSP answer arrives before anything verified it), and some
 * PSS implementations allocate it before they look at the key. Stateless; thread-safe.
 */
public final class PssSignatures {

    private PssSignatures() {}

    /**
     * A signature ready to verify with {@code key} under the DER-encoded RSASSA-PSS-params {@code
     * parameters}.
     *
     * @throws GeneralSecurityException when the parameters are malformed, out of bounds or do not fit
     *                                  the key
     */
    public static @NotNull Signature verifier(final @NotNull PublicKey key, final byte @NotNull [] parameters)
            throws GeneralSecurityException {
        final PSSParameterSpec spec;
        try {
            final AlgorithmParameters decoded = AlgorithmParameters.getInstance("RSASSA-PSS");
            decoded.init(parameters);
            spec = decoded.getParameterSpec(PSSParameterSpec.class);
        } catch (final IOException e) {
            throw new InvalidAlgorithmParameterException("malformed RSASSA-PSS parameters");
        }
        check(spec, key);
        final Signature signature = Signature.getInstance("RSASSA-PSS");
        // The key first: it picks the provider (the native one takes RSASSA-PSS signatures but not
        // RSASSA-PSS keys, and setting the parameters first would tie the signature to it).
        signature.initVerify(key);
        signature.setParameter(spec);
        return signature;
    }

    static void check(final PSSParameterSpec spec, final PublicKey key) throws InvalidAlgorithmParameterException {
        if (!(key instanceof RSAKey)) {
            throw new InvalidAlgorithmParameterException("RSASSA-PSS needs an RSA key");
        }
        final int hashBytes = hashBytes(spec.getDigestAlgorithm());
        if (!"MGF1".equalsIgnoreCase(spec.getMGFAlgorithm())
                || !(spec.getMGFParameters() instanceof MGF1ParameterSpec)) {
            throw new InvalidAlgorithmParameterException("RSASSA-PSS mask generation is not MGF1");
        }
        hashBytes(((MGF1ParameterSpec) spec.getMGFParameters()).getDigestAlgorithm());
        final int encodedBytes = (((RSAKey) key).getModulus().bitLength() - 1 + 7) / 8;
        if (spec.getSaltLength() < 0 || spec.getSaltLength() > encodedBytes - hashBytes - 2) {
            throw new InvalidAlgorithmParameterException(
                    "RSASSA-PSS salt length does not fit the key (" + spec.getSaltLength() + " bytes)");
        }
        if (spec.getTrailerField() != PSSParameterSpec.TRAILER_FIELD_BC) {
            throw new InvalidAlgorithmParameterException("RSASSA-PSS trailer field is not the standard one");
        }
    }

    private static int hashBytes(final String digest) throws InvalidAlgorithmParameterException {
        switch (digest.toUpperCase(java.util.Locale.ROOT).replace("-", "")) {
            case "SHA256":
                return 32;
            case "SHA384":
                return 48;
            case "SHA512":
                return 64;
            default:
                throw new InvalidAlgorithmParameterException("RSASSA-PSS with " + digest + " is not accepted");
        }
    }
}
