package dev.certguard.bench.sim;

import dev.certguard.pki.CertificateAuthority;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * Distinct device certificates made fast: one certificate really issued by the CA, copied with
 * another serial and another CN written into its signed part, which the CA then signs again (the
 * extensions verify which configured CA issued a certificate by its signature). The JDK parses each
 * into the same {@link X509Certificate} HiveMQ hands the extensions. Not thread-safe; the
 * signatures are made on every core.
 */
final class SimulatedFleet {

    /** CN {@code sim:d} and 7 digits, so every copy has the same length. */
    private static final String CN_PREFIX = "sim:d";

    private static final int DIGITS = 7;

    final X509Certificate[] leaves;
    /** Each device's chain as HiveMQ holds it (one array per connection, handed to every extension). */
    final X509Certificate[][] chains;

    final String[] clientIds;
    final byte[][] serials;

    private SimulatedFleet(final X509Certificate[] leaves, final String[] clientIds, final byte[][] serials) {
        this.leaves = leaves;
        this.chains = new X509Certificate[leaves.length][];
        for (int i = 0; i < leaves.length; i++) {
            chains[i] = new X509Certificate[] {leaves[i]};
        }
        this.clientIds = clientIds;
        this.serials = serials;
    }

    static String identity(final int device) {
        return CN_PREFIX + String.format("%0" + DIGITS + "d", device);
    }

    static SimulatedFleet of(final CertificateAuthority ca, final int size) throws Exception {
        if (size >= 10_000_000) {
            throw new IllegalArgumentException("at most 9,999,999 devices");
        }
        final X509Certificate template = ca.issue(
                identity(0),
                CertificateAuthority.newKeyPair().getPublic(),
                Instant.now().minusSeconds(60),
                Instant.now().plusSeconds(365L * 86400),
                CertificateAuthority.Purpose.CLIENT,
                java.util.List.of());
        final byte[] der = template.getEncoded();
        final byte[] serial = template.getSerialNumber().toByteArray();
        final int serialAt = indexOf(der, concat(new byte[] {0x02, (byte) serial.length}, serial));
        final int cnAt = indexOf(der, identity(0).getBytes(StandardCharsets.US_ASCII)) + CN_PREFIX.length();
        final org.bouncycastle.asn1.ASN1Sequence parts = org.bouncycastle.asn1.ASN1Sequence.getInstance(der);
        final byte[] tbs = parts.getObjectAt(0).toASN1Primitive().getEncoded("DER");
        final int tbsAt = indexOf(der, tbs);
        final org.bouncycastle.asn1.ASN1Encodable algorithm = parts.getObjectAt(1);
        final X509Certificate[] leaves = new X509Certificate[size];
        final String[] clientIds = new String[size];
        final byte[][] serials = new byte[size][];
        final ThreadLocal<java.security.Signature> signers = ThreadLocal.withInitial(() -> {
            try {
                final java.security.Signature signer = java.security.Signature.getInstance(template.getSigAlgName());
                signer.initSign(ca.privateKey());
                return signer;
            } catch (final java.security.GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        });
        final ThreadLocal<CertificateFactory> factories = ThreadLocal.withInitial(() -> {
            try {
                return CertificateFactory.getInstance("X.509");
            } catch (final java.security.cert.CertificateException e) {
                throw new IllegalStateException(e);
            }
        });
        java.util.stream.IntStream.range(0, size).parallel().forEach(i -> {
            final byte[] copy = tbs.clone();
            // Same length as the template's serial, positive, unique by the device number.
            final byte[] own = BigInteger.ONE
                    .shiftLeft(serial.length * 8 - 2)
                    .add(BigInteger.valueOf(i + 1).shiftLeft(32))
                    .add(BigInteger.valueOf(template.getSerialNumber().intValue() & 0x7fffffff))
                    .toByteArray();
            System.arraycopy(own, 0, copy, serialAt - tbsAt + 2, serial.length);
            final byte[] digits = String.format("%0" + DIGITS + "d", i).getBytes(StandardCharsets.US_ASCII);
            System.arraycopy(digits, 0, copy, cnAt - tbsAt, DIGITS);
            try {
                final java.security.Signature signer = signers.get();
                signer.update(copy);
                final byte[] certificate = new org.bouncycastle.asn1.DERSequence(
                                new org.bouncycastle.asn1.ASN1Encodable[] {
                                    org.bouncycastle.asn1.ASN1Primitive.fromByteArray(copy),
                                    algorithm,
                                    new org.bouncycastle.asn1.DERBitString(signer.sign())
                                })
                        .getEncoded("DER");
                leaves[i] =
                        (X509Certificate) factories.get().generateCertificate(new ByteArrayInputStream(certificate));
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
            clientIds[i] = identity(i);
            serials[i] = leaves[i].getSerialNumber().toByteArray();
        });
        // What the JDK's TLS stack does to each client certificate before HiveMQ hands it to an
        // extension: validate it against the trusted CAs (which caches parsed names in the objects).
        final java.security.KeyStore trusted = java.security.KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("ca", ca.certificate());
        final javax.net.ssl.TrustManagerFactory factory = javax.net.ssl.TrustManagerFactory.getInstance("PKIX");
        factory.init(trusted);
        final javax.net.ssl.X509TrustManager tls = (javax.net.ssl.X509TrustManager) factory.getTrustManagers()[0];
        java.util.stream.IntStream.range(0, size).parallel().forEach(i -> {
            try {
                tls.checkClientTrusted(new X509Certificate[] {leaves[i]}, "UNKNOWN");
            } catch (final java.security.cert.CertificateException e) {
                throw new IllegalStateException("device " + i + " does not validate: " + e, e);
            }
        });
        return new SimulatedFleet(leaves, clientIds, serials);
    }

    private static int indexOf(final byte[] haystack, final byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new IllegalStateException("template certificate has no such bytes");
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] out = new byte[a.length + b.length];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
