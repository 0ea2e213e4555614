package dev.certguard.crypto;

import java.math.BigInteger;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.NamedParameterSpec;
import java.util.Arrays;
import java.util.Optional;

/**
 * X25519 keys in the JDK's own key interfaces ({@link XECPublicKey}, {@link XECPrivateKey}), which is
 * what JSSE's key exchange casts to: the public key is the 32-byte little-endian u-coordinate, the
 * private key the 32-byte scalar (RFC 7748). Immutable; thread-safe.
 */
final class X25519Keys {

    static final int SIZE = 32;

    /** SubjectPublicKeyInfo prefix for id-X25519 (RFC 8410). */
    private static final byte[] X509_PREFIX = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00};

    /** OneAsymmetricKey prefix for id-X25519 (RFC 8410). */
    private static final byte[] PKCS8_PREFIX = {
        0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x04, 0x22, 0x04, 0x20
    };

    private X25519Keys() {}

    /** Whether {@code params} name X25519. */
    static boolean isX25519(final AlgorithmParameterSpec params) {
        return params instanceof NamedParameterSpec
                && "X25519".equalsIgnoreCase(((NamedParameterSpec) params).getName());
    }

    /** The little-endian 32-byte form of a u-coordinate, or {@code null} when it does not fit. */
    static byte[] littleEndian(final BigInteger u) {
        if (u.signum() < 0 || u.bitLength() > 8 * SIZE) {
            return null;
        }
        final byte[] big = u.toByteArray();
        final byte[] out = new byte[SIZE];
        for (int i = 0; i < SIZE && i < big.length; i++) {
            final int from = big.length - 1 - i;
            if (from >= 0) {
                out[i] = big[from];
            }
        }
        return out;
    }

    /** What both keys are: 32 bytes, the X25519 parameters, and an RFC 8410 encoding. */
    private abstract static class Key implements java.security.Key {
        private static final long serialVersionUID = 1L;
        final byte[] bytes;
        private final byte[] prefix;
        private final String format;

        Key(final byte[] bytes, final byte[] prefix, final String format) {
            this.bytes = bytes.clone();
            this.prefix = prefix;
            this.format = format;
        }

        public AlgorithmParameterSpec getParams() {
            return NamedParameterSpec.X25519;
        }

        @Override
        public String getAlgorithm() {
            return "XDH";
        }

        @Override
        public String getFormat() {
            return format;
        }

        @Override
        public byte[] getEncoded() {
            final byte[] out = Arrays.copyOf(prefix, prefix.length + SIZE);
            System.arraycopy(bytes, 0, out, prefix.length, SIZE);
            return out;
        }
    }

    static final class Public extends Key implements XECPublicKey {
        private static final long serialVersionUID = 1L;

        Public(final byte[] u) {
            super(u, X509_PREFIX, "X.509");
        }

        byte[] littleEndianU() {
            return bytes.clone();
        }

        @Override
        public BigInteger getU() {
            final byte[] big = new byte[SIZE];
            for (int i = 0; i < SIZE; i++) {
                big[i] = bytes[SIZE - 1 - i];
            }
            return new BigInteger(1, big);
        }
    }

    static final class Private extends Key implements XECPrivateKey {
        private static final long serialVersionUID = 1L;

        Private(final byte[] scalar) {
            super(scalar, PKCS8_PREFIX, "PKCS#8");
        }

        byte[] scalarBytes() {
            return bytes.clone();
        }

        @Override
        public Optional<byte[]> getScalar() {
            return Optional.of(bytes.clone());
        }
    }
}
