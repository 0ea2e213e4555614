package dev.certguard.pki;

import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The key types the dev PKI makes, by the names the command line accepts ({@code --key-type}).
 * Each knows how to generate a key pair and which signature algorithm a key of its type signs
 * with. Immutable; thread-safe.
 */
public enum KeyType {
    RSA2048("rsa2048", "RSA", 2048),
    RSA3072("rsa3072", "RSA", 3072),
    RSA4096("rsa4096", "RSA", 4096),
    /**
     * An RSASSA-PSS key (RFC 4055 id-RSASSA-PSS, with no parameter restrictions): it signs only with
     * PSS; the dev PKI signs SHA-256, MGF1 SHA-256, salt 32.
     */
    RSAPSS("rsapss", "RSASSA-PSS", 2048),
    P256("p256", "EC", 256),
    P384("p384", "EC", 384),
    P521("p521", "EC", 521),
    ED25519("ed25519", "Ed25519", 255);

    private static final SecureRandom RANDOM = new SecureRandom();

    private final String cliName;
    private final String algorithm;
    private final int bits;

    KeyType(final String cliName, final String algorithm, final int bits) {
        this.cliName = cliName;
        this.algorithm = algorithm;
        this.bits = bits;
    }

    /** The name {@code --key-type} takes. */
    public String cliName() {
        return cliName;
    }

    /** The key size in bits (the field size for EC, 255 for Ed25519). */
    public int bits() {
        return bits;
    }

    /** Whether keys of this type are RSA keys (either kind). */
    public boolean isRsa() {
        return algorithm.equals("RSA") || algorithm.equals("RSASSA-PSS");
    }

    /** The key type named {@code name} on the command line; the message lists the names accepted. */
    public static KeyType parse(final String name) {
        final String wanted = name.toLowerCase(Locale.ROOT).replace("-", "");
        for (final KeyType type : values()) {
            if (type.cliName.equals(wanted)) {
                return type;
            }
        }
        throw new IllegalArgumentException("unknown key type '" + name + "'; one of " + names());
    }

    /** The accepted names, separated by {@code |}. */
    public static String names() {
        return Arrays.stream(values()).map(KeyType::cliName).collect(Collectors.joining("|"));
    }

    /** A new key pair of this type. */
    public KeyPair generate() {
        try {
            final KeyPairGenerator generator = KeyPairGenerator.getInstance(algorithm);
            switch (algorithm) {
                case "RSA", "RSASSA-PSS" ->
                    generator.initialize(new RSAKeyGenParameterSpec(bits, RSAKeyGenParameterSpec.F4), RANDOM);
                case "EC" -> generator.initialize(new ECGenParameterSpec(curve()), RANDOM);
                default -> {
                    // Ed25519 has one size only.
                }
            }
            return generator.generateKeyPair();
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("the JRE cannot generate " + cliName + " keys", e);
        }
    }

    private String curve() {
        return switch (bits) {
            case 256 -> "secp256r1";
            case 384 -> "secp384r1";
            default -> "secp521r1";
        };
    }

    /** The signature algorithm (JCA name) a key of this type signs certificates and CRLs with. */
    public String signatureAlgorithm() {
        return switch (this) {
            case RSA2048, RSA3072, RSA4096 -> "SHA256withRSA";
            case RSAPSS -> "SHA256withRSAandMGF1";
            case P256 -> "SHA256withECDSA";
            case P384 -> "SHA384withECDSA";
            case P521 -> "SHA512withECDSA";
            case ED25519 -> "Ed25519";
        };
    }

    /**
     * The signature algorithm (JCA name) {@code key} signs with: SHA-256 with an RSA key, PSS with
     * an RSASSA-PSS key, ECDSA with the hash that matches the curve's size, Ed25519.
     */
    public static String signatureAlgorithmFor(final Key key) {
        final String keyAlgorithm = key.getAlgorithm();
        if (keyAlgorithm.equals("RSASSA-PSS")) {
            return RSAPSS.signatureAlgorithm();
        }
        if (key instanceof ECKey ec) {
            final int size = ec.getParams().getCurve().getField().getFieldSize();
            return size > 384
                    ? P521.signatureAlgorithm()
                    : size > 256 ? P384.signatureAlgorithm() : P256.signatureAlgorithm();
        }
        if (keyAlgorithm.equals("Ed25519") || keyAlgorithm.equals("EdDSA")) {
            return ED25519.signatureAlgorithm();
        }
        if (key instanceof RSAKey) {
            return RSA2048.signatureAlgorithm();
        }
        throw new IllegalArgumentException("the dev PKI cannot sign with a " + keyAlgorithm + " key");
    }
}
