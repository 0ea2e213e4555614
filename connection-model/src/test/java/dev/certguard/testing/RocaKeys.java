package dev.certguard.testing;

import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.SecureRandom;
import java.security.spec.RSAPrivateCrtKeySpec;
import java.security.spec.RSAPublicKeySpec;

/**
 * RSA key pairs built the way the flawed Infineon RSALib built them (ROCA, CVE-2017-15361): each
 * prime is {@code k * M + (65537^a mod M)}, {@code M} the product of the primes up to 167, so the
 * modulus carries the fingerprint while being an ordinary, working RSA key (TLS accepts it). For
 * tests of the fingerprint check only. Stateless; thread-safe.
 */
public final class RocaKeys {

    private static final BigInteger E = BigInteger.valueOf(65537);
    private static final BigInteger M = primorial(167);

    private RocaKeys() {}

    /** A working RSA key pair of about {@code bits} bits whose modulus has the ROCA structure. */
    public static KeyPair generate(final int bits, final SecureRandom random) {
        while (true) {
            final BigInteger p = prime(bits / 2, random);
            final BigInteger q = prime(bits / 2, random);
            final BigInteger phi = p.subtract(BigInteger.ONE).multiply(q.subtract(BigInteger.ONE));
            final BigInteger n = p.multiply(q);
            if (p.equals(q) || !phi.gcd(E).equals(BigInteger.ONE) || n.bitLength() != bits) {
                continue;
            }
            final BigInteger d = E.modInverse(phi);
            try {
                final KeyFactory rsa = KeyFactory.getInstance("RSA");
                return new KeyPair(
                        rsa.generatePublic(new RSAPublicKeySpec(n, E)),
                        rsa.generatePrivate(new RSAPrivateCrtKeySpec(
                                n,
                                E,
                                d,
                                p,
                                q,
                                d.mod(p.subtract(BigInteger.ONE)),
                                d.mod(q.subtract(BigInteger.ONE)),
                                q.modInverse(p))));
            } catch (final GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A prime of the RSALib form between 1.4143 * 2^(bits-1) and 2^bits, so two make a modulus of 2 * bits. */
    private static BigInteger prime(final int bits, final SecureRandom random) {
        final BigInteger low = BigInteger.ONE
                .shiftLeft(bits - 1)
                .multiply(BigInteger.valueOf(14_143))
                .divide(BigInteger.valueOf(10_000))
                .divide(M)
                .add(BigInteger.ONE);
        final BigInteger span = BigInteger.ONE
                .shiftLeft(bits)
                .divide(M)
                .subtract(BigInteger.ONE)
                .subtract(low);
        while (true) {
            final BigInteger k = low.add(new BigInteger(span.bitLength() + 8, random).mod(span));
            final BigInteger a = new BigInteger(M.bitLength(), random);
            final BigInteger candidate = k.multiply(M).add(E.modPow(a, M));
            if (candidate.isProbablePrime(64)) {
                return candidate;
            }
        }
    }

    private static BigInteger primorial(final int largest) {
        BigInteger product = BigInteger.ONE;
        for (int candidate = 2; candidate <= largest; candidate++) {
            if (BigInteger.valueOf(candidate).isProbablePrime(50)) {
                product = product.multiply(BigInteger.valueOf(candidate));
            }
        }
        return product;
    }
}
