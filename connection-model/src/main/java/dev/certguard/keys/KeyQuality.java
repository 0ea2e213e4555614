package dev.certguard.keys;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Judges a certificate's key and signature: RSA moduli shorter than the configured minimum or
 * carrying the ROCA fingerprint ({@link RocaFingerprint}), EC keys on a curve other than P-256,
 * P-384 or P-521, and signatures made with MD2, MD4, MD5 or SHA-1 (an RSASSA-PSS signature whose
 * parameters name SHA-1, its default, included). Ed25519 and Ed448 keys are allowed. Reads only the
 * certificate's own fields, no I/O. Immutable; thread-safe.
 */
public final class KeyQuality {

    /** Each rule, with the name findings, WARN lines and the documentation use. */
    public enum Rule {
        RSA_TOO_SHORT("rsa-too-short", "an RSA key shorter than minimum-rsa-bits"),
        ROCA("roca", "an RSA modulus with the ROCA fingerprint (CVE-2017-15361: its private key can be computed)"),
        EC_CURVE("ec-curve", "an EC key on a curve other than P-256, P-384 or P-521"),
        WEAK_SIGNATURE("weak-signature", "a certificate signed with MD2, MD4, MD5 or SHA-1");

        private final @NotNull String label;
        private final @NotNull String meaning;

        Rule(final @NotNull String label, final @NotNull String meaning) {
            this.label = label;
            this.meaning = meaning;
        }

        public @NotNull String label() {
            return label;
        }

        public @NotNull String meaning() {
            return meaning;
        }
    }

    /** A rule a certificate breaks and how. Immutable; thread-safe. */
    public static final class Weakness {
        private final @NotNull Rule rule;
        private final @NotNull String detail;

        Weakness(final @NotNull Rule rule, final @NotNull String detail) {
            this.rule = rule;
            this.detail = detail;
        }

        public @NotNull Rule rule() {
            return rule;
        }

        /** What was found, e.g. {@code RSA 1024 bits, minimum 2048}. */
        public @NotNull String detail() {
            return detail;
        }

        @Override
        public @NotNull String toString() {
            return rule.label() + ": " + detail;
        }
    }

    private static final List<ECParameterSpec> CURVES = curves();
    /** Signature algorithm OIDs of MD2, MD4, MD5 and SHA-1 signatures. */
    private static final Map<String, String> WEAK_SIGNATURES = Map.of(
            "1.2.840.113549.1.1.2", "MD2 with RSA",
            "1.2.840.113549.1.1.3", "MD4 with RSA",
            "1.2.840.113549.1.1.4", "MD5 with RSA",
            "1.2.840.113549.1.1.5", "SHA-1 with RSA",
            "1.3.14.3.2.29", "SHA-1 with RSA",
            "1.2.840.10045.4.1", "ECDSA with SHA-1",
            "1.2.840.10040.4.3", "DSA with SHA-1");

    private static final String RSASSA_PSS = "1.2.840.113549.1.1.10";

    private final int minimumRsaBits;

    public KeyQuality(final int minimumRsaBits) {
        this.minimumRsaBits = minimumRsaBits;
    }

    /** RSA moduli shorter than this are weak. */
    public int minimumRsaBits() {
        return minimumRsaBits;
    }

    /** The first rule {@code certificate} breaks, or {@code null} when its key and signature are sound. */
    public @Nullable Weakness judge(final @NotNull X509Certificate certificate) {
        final PublicKey publicKey = certificate.getPublicKey();
        final Weakness key =
                publicKey instanceof ECPublicKey && NamedCurve.isAllowed(certificate) ? null : judge(publicKey);
        return key != null ? key : signature(certificate);
    }

    /** The first rule {@code key} breaks, or {@code null}. */
    public @Nullable Weakness judge(final @NotNull PublicKey key) {
        if (key instanceof RSAPublicKey) {
            final RSAPublicKey rsa = (RSAPublicKey) key;
            final int bits = rsa.getModulus().bitLength();
            if (bits < minimumRsaBits) {
                return new Weakness(Rule.RSA_TOO_SHORT, "RSA " + bits + " bits, minimum " + minimumRsaBits);
            }
            if (RocaFingerprint.matches(rsa.getModulus())) {
                return new Weakness(Rule.ROCA, "RSA " + bits + " bits with the ROCA fingerprint");
            }
            return null;
        }
        if (key instanceof ECPublicKey) {
            final ECParameterSpec params = ((ECPublicKey) key).getParams();
            for (final ECParameterSpec allowed : CURVES) {
                if (allowed.getCurve().equals(params.getCurve())
                        && allowed.getOrder().equals(params.getOrder())
                        && allowed.getGenerator().equals(params.getGenerator())
                        && allowed.getCofactor() == params.getCofactor()) {
                    return null;
                }
            }
            return new Weakness(
                    Rule.EC_CURVE,
                    "EC key on a " + params.getCurve().getField().getFieldSize()
                            + "-bit curve other than P-256, P-384 and P-521");
        }
        return null;
    }

    private static @Nullable Weakness signature(final X509Certificate certificate) {
        final String oid = certificate.getSigAlgOID();
        final String weak = WEAK_SIGNATURES.get(oid);
        if (weak != null) {
            return new Weakness(Rule.WEAK_SIGNATURE, "signed with " + weak);
        }
        if (RSASSA_PSS.equals(oid)) {
            final String digest = pssDigest(certificate.getSigAlgParams());
            if (digest == null
                    || digest.replace("-", "").toUpperCase(Locale.ROOT).equals("SHA1")) {
                return new Weakness(
                        Rule.WEAK_SIGNATURE,
                        digest == null
                                ? "signed with RSASSA-PSS of unreadable parameters"
                                : "signed with RSASSA-PSS" + " over SHA-1");
            }
        }
        return null;
    }

    private static @Nullable String pssDigest(final byte @Nullable [] parameters) {
        if (parameters == null) {
            // Absent parameters mean every default: SHA-1.
            return "SHA-1";
        }
        try {
            final AlgorithmParameters pss = AlgorithmParameters.getInstance("RSASSA-PSS");
            pss.init(parameters);
            return pss.getParameterSpec(PSSParameterSpec.class).getDigestAlgorithm();
        } catch (final GeneralSecurityException | IOException | RuntimeException e) {
            return null;
        }
    }

    private static List<ECParameterSpec> curves() {
        final List<ECParameterSpec> curves = new ArrayList<>();
        for (final String name : List.of("secp256r1", "secp384r1", "secp521r1")) {
            try {
                final AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(name));
                curves.add(parameters.getParameterSpec(ECParameterSpec.class));
            } catch (final GeneralSecurityException e) {
                throw new IllegalStateException("the JRE lacks the NIST curve " + name, e);
            }
        }
        return List.copyOf(curves);
    }
}
