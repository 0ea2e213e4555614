package dev.certguard.crypto;

import java.security.InvalidAlgorithmParameterException;
import java.security.InvalidKeyException;
import java.security.Key;
import java.security.KeyFactorySpi;
import java.security.KeyPair;
import java.security.KeyPairGeneratorSpi;
import java.security.PrivateKey;
import java.security.Provider;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.interfaces.XECPrivateKey;
import java.security.interfaces.XECPublicKey;
import java.security.spec.AlgorithmParameterSpec;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.KeySpec;
import java.security.spec.XECPrivateKeySpec;
import java.security.spec.XECPublicKeySpec;
import java.util.Arrays;
import javax.crypto.KeyAgreementSpi;
import javax.crypto.SecretKey;
import javax.crypto.ShortBufferException;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * X25519 (RFC 7748) for the JDK's TLS, on BouncyCastle's constant-time field arithmetic: measured
 * here about 2.7 times faster than the JDK's own XDH on JDK 17 and 25 (BENCHMARKS.md), and X25519 is
 * the key share OpenSSL, mosquitto and the JDK's clients send first. The native provider has no XDH,
 * so without this every full and resumed TLS 1.3 handshake spends most of its public-key time in the
 * JDK's X25519. Offers exactly KeyPairGenerator, KeyFactory and KeyAgreement for {@code XDH} /
 * {@code X25519} with the JDK's {@code java.security.interfaces.XEC*} key types (what JSSE casts to);
 * X448 and everything else stay with the JDK's providers. Immutable; thread-safe (each SPI instance
 * is used by one thread, as the JCA requires).
 */
public final class X25519Provider extends Provider {

    private static final long serialVersionUID = 1L;
    public static final String NAME = "CertguardX25519";

    public X25519Provider() {
        super(NAME, "1.0", "X25519 key agreement for TLS on BouncyCastle's RFC 7748 implementation");
        for (final String algorithm : new String[] {"XDH", "X25519"}) {
            putService(new Service(this, "KeyPairGenerator", algorithm, Generator.class.getName(), null, null));
            putService(new Service(this, "KeyFactory", algorithm, Factory.class.getName(), null, null));
            putService(new Service(this, "KeyAgreement", algorithm, Agreement.class.getName(), null, null));
        }
    }

    /** Generates X25519 key pairs only. */
    public static final class Generator extends KeyPairGeneratorSpi {
        private SecureRandom random = new SecureRandom();

        @Override
        public void initialize(final int keysize, final SecureRandom random) {
            if (keysize != 255) {
                throw new java.security.InvalidParameterException("only X25519 (255 bits) is offered here");
            }
            if (random != null) {
                this.random = random;
            }
        }

        @Override
        public void initialize(final AlgorithmParameterSpec params, final SecureRandom random)
                throws InvalidAlgorithmParameterException {
            if (!X25519Keys.isX25519(params)) {
                throw new InvalidAlgorithmParameterException("only X25519 is offered here");
            }
            if (random != null) {
                this.random = random;
            }
        }

        @Override
        public KeyPair generateKeyPair() {
            final byte[] scalar = new byte[X25519.SCALAR_SIZE];
            final byte[] u = new byte[X25519.POINT_SIZE];
            X25519.generatePrivateKey(random, scalar);
            X25519.generatePublicKey(scalar, 0, u, 0);
            return new KeyPair(new X25519Keys.Public(u), new X25519Keys.Private(scalar));
        }
    }

    /** Builds X25519 keys from the JDK's XEC key specs. */
    public static final class Factory extends KeyFactorySpi {
        @Override
        protected PublicKey engineGeneratePublic(final KeySpec spec) throws InvalidKeySpecException {
            if (spec instanceof XECPublicKeySpec && X25519Keys.isX25519(((XECPublicKeySpec) spec).getParams())) {
                final byte[] u = X25519Keys.littleEndian(((XECPublicKeySpec) spec).getU());
                if (u != null) {
                    return new X25519Keys.Public(u);
                }
                throw new InvalidKeySpecException("X25519 u-coordinate out of range");
            }
            throw new InvalidKeySpecException("only X25519 XECPublicKeySpec is offered here");
        }

        @Override
        protected PrivateKey engineGeneratePrivate(final KeySpec spec) throws InvalidKeySpecException {
            if (spec instanceof XECPrivateKeySpec
                    && X25519Keys.isX25519(((XECPrivateKeySpec) spec).getParams())
                    && ((XECPrivateKeySpec) spec).getScalar().length == X25519.SCALAR_SIZE) {
                return new X25519Keys.Private(((XECPrivateKeySpec) spec).getScalar());
            }
            throw new InvalidKeySpecException("only X25519 XECPrivateKeySpec is offered here");
        }

        @Override
        protected <T extends KeySpec> T engineGetKeySpec(final Key key, final Class<T> type)
                throws InvalidKeySpecException {
            if (key instanceof X25519Keys.Public && type.isAssignableFrom(XECPublicKeySpec.class)) {
                return type.cast(
                        new XECPublicKeySpec(((X25519Keys.Public) key).getParams(), ((X25519Keys.Public) key).getU()));
            }
            if (key instanceof X25519Keys.Private && type.isAssignableFrom(XECPrivateKeySpec.class)) {
                return type.cast(new XECPrivateKeySpec(
                        ((X25519Keys.Private) key).getParams(), ((X25519Keys.Private) key).scalarBytes()));
            }
            throw new InvalidKeySpecException("unsupported key or spec");
        }

        @Override
        protected Key engineTranslateKey(final Key key) throws InvalidKeyException {
            final Key translated = translate(key);
            if (translated == null) {
                throw new InvalidKeyException("not an X25519 key");
            }
            return translated;
        }
    }

    /** X25519 agreement; an all-zero shared secret (a small-order peer point) is refused. */
    public static final class Agreement extends KeyAgreementSpi {
        private byte[] scalar;
        private byte[] secret;

        @Override
        protected void engineInit(final Key key, final SecureRandom random) throws InvalidKeyException {
            final Key translated = translate(key);
            if (!(translated instanceof X25519Keys.Private)) {
                throw new InvalidKeyException("an X25519 private key is required");
            }
            scalar = ((X25519Keys.Private) translated).scalarBytes();
            secret = null;
        }

        @Override
        protected void engineInit(final Key key, final AlgorithmParameterSpec params, final SecureRandom random)
                throws InvalidKeyException, InvalidAlgorithmParameterException {
            if (params != null && !X25519Keys.isX25519(params)) {
                throw new InvalidAlgorithmParameterException("only X25519 is offered here");
            }
            engineInit(key, random);
        }

        @Override
        protected Key engineDoPhase(final Key key, final boolean lastPhase) throws InvalidKeyException {
            if (scalar == null) {
                throw new IllegalStateException("not initialised");
            }
            if (!lastPhase) {
                throw new IllegalStateException("X25519 has a single phase");
            }
            final Key translated = translate(key);
            if (!(translated instanceof X25519Keys.Public)) {
                throw new InvalidKeyException("an X25519 public key is required");
            }
            final byte[] shared = new byte[X25519.POINT_SIZE];
            if (!X25519.calculateAgreement(scalar, 0, ((X25519Keys.Public) translated).littleEndianU(), 0, shared, 0)) {
                throw new InvalidKeyException("X25519 shared secret is all zeros (small-order point)");
            }
            secret = shared;
            return null;
        }

        @Override
        protected byte[] engineGenerateSecret() {
            if (secret == null) {
                throw new IllegalStateException("no shared secret: call doPhase first");
            }
            final byte[] out = secret;
            secret = null;
            return out;
        }

        @Override
        protected int engineGenerateSecret(final byte[] sharedSecret, final int offset) throws ShortBufferException {
            if (sharedSecret.length - offset < X25519.POINT_SIZE) {
                throw new ShortBufferException("needs " + X25519.POINT_SIZE + " bytes");
            }
            final byte[] out = engineGenerateSecret();
            System.arraycopy(out, 0, sharedSecret, offset, out.length);
            Arrays.fill(out, (byte) 0);
            return X25519.POINT_SIZE;
        }

        @Override
        protected SecretKey engineGenerateSecret(final String algorithm) {
            final byte[] out = engineGenerateSecret();
            try {
                return new SecretKeySpec(out, algorithm);
            } finally {
                Arrays.fill(out, (byte) 0);
            }
        }
    }

    /** Our own key, or another provider's X25519 key in the JDK's interfaces; {@code null} otherwise. */
    private static Key translate(final Key key) {
        if (key instanceof X25519Keys.Public || key instanceof X25519Keys.Private) {
            return key;
        }
        if (key instanceof XECPublicKey && X25519Keys.isX25519(((XECPublicKey) key).getParams())) {
            final byte[] u = X25519Keys.littleEndian(((XECPublicKey) key).getU());
            return u == null ? null : new X25519Keys.Public(u);
        }
        if (key instanceof XECPrivateKey && X25519Keys.isX25519(((XECPrivateKey) key).getParams())) {
            return ((XECPrivateKey) key)
                    .getScalar()
                    .filter(s -> s.length == X25519.SCALAR_SIZE)
                    .map(X25519Keys.Private::new)
                    .orElse(null);
        }
        return null;
    }
}
