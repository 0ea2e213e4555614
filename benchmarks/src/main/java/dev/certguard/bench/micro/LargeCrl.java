package dev.certguard.bench.micro;

import dev.certguard.pki.CertificateAuthority;
import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Random;

/**
 * Writes a signed DER CRL with many random 128-bit serials quickly (BouncyCastle's builder needs
 * seconds for a million entries), for benchmarks only. Not thread-safe.
 */
public final class LargeCrl {

    private static final DateTimeFormatter UTC =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
    private static final byte[] ECDSA_SHA256 = {
        0x30, 0x0a, 0x06, 0x08, 0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02
    };
    private static final byte[] CRL_NUMBER_OID = {0x06, 0x03, 0x55, 0x1d, 0x14};

    /** The DER bytes and the serials it revokes (as {@code BigInteger.toByteArray()}). */
    public record Generated(byte[] der, byte[][] serials) {}

    private LargeCrl() {}

    public static Generated generate(
            final CertificateAuthority ca, final int entries, final long seed, final long number) {
        return generate(ca, entries, seed, number, new byte[0][]);
    }

    /** A CRL of {@code entries} serials: the {@code included} ones (as {@code BigInteger.toByteArray()}) first, then random ones. */
    public static Generated generate(
            final CertificateAuthority ca,
            final int entries,
            final long seed,
            final long number,
            final byte[][] included) {
        return generate(ca, entries, seed, number, included, null);
    }

    /**
     * {@link #generate(CertificateAuthority, int, long, long, byte[][])} as the partition at
     * {@code partitionUrl}: a critical Issuing Distribution Point naming it, end entities only (a
     * complete CRL when null).
     */
    public static Generated generate(
            final CertificateAuthority ca,
            final int entries,
            final long seed,
            final long number,
            final byte[][] included,
            final String partitionUrl) {
        return generate(ca, entries, seed, number, included, partitionUrl, 0, null);
    }

    /**
     * As {@link #generate(CertificateAuthority, int, long, long, byte[][], String)}, as a delta CRL on
     * base number {@code deltaBase} when it is above 0, and naming {@code freshestUrl} in a Freshest CRL
     * extension when it is not null.
     */
    public static Generated generate(
            final CertificateAuthority ca,
            final int entries,
            final long seed,
            final long number,
            final byte[][] included,
            final String partitionUrl,
            final long deltaBase,
            final String freshestUrl) {
        final Random random = new Random(seed);
        final byte[][] serials = new byte[entries][];
        final ByteArrayOutputStream list = new ByteArrayOutputStream(entries * 34);
        final byte[] date = tlv(0x17, UTC.format(Instant.now().minusSeconds(60)).getBytes());
        for (int i = 0; i < entries; i++) {
            final byte[] serial = i < included.length
                    ? included[i]
                    : new BigInteger(127, random).add(BigInteger.ONE).toByteArray();
            serials[i] = serial;
            list.writeBytes(tlv(0x30, concat(tlv(0x02, serial), date)));
        }
        final Instant now = Instant.now();
        final byte[] tbs = tlv(
                0x30,
                concat(
                        tlv(0x02, new byte[] {1}),
                        ECDSA_SHA256,
                        ca.certificate().getSubjectX500Principal().getEncoded(),
                        tlv(0x17, UTC.format(now.minusSeconds(5)).getBytes()),
                        tlv(0x17, UTC.format(now.plusSeconds(86400)).getBytes()),
                        tlv(0x30, list.toByteArray()),
                        tlv(
                                0xa0,
                                tlv(
                                        0x30,
                                        concat(
                                                tlv(
                                                        0x30,
                                                        concat(
                                                                CRL_NUMBER_OID,
                                                                tlv(
                                                                        0x04,
                                                                        tlv(
                                                                                0x02,
                                                                                BigInteger.valueOf(number)
                                                                                        .toByteArray())))),
                                                partitionUrl == null ? new byte[0] : idp(partitionUrl),
                                                deltaBase <= 0 ? new byte[0] : deltaIndicator(deltaBase),
                                                freshestUrl == null ? new byte[0] : freshest(freshestUrl))))));
        try {
            final Signature signature = Signature.getInstance("SHA256withECDSA");
            signature.initSign(ca.privateKey());
            signature.update(tbs);
            final byte[] signed = signature.sign();
            final byte[] bits = new byte[signed.length + 1];
            System.arraycopy(signed, 0, bits, 1, signed.length);
            return new Generated(tlv(0x30, concat(tbs, ECDSA_SHA256, tlv(0x03, bits))), serials);
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The critical Issuing Distribution Point extension naming {@code url}, for end entities only. */
    private static byte[] idp(final String url) {
        try {
            final byte[] value = new org.bouncycastle.asn1.x509.IssuingDistributionPoint(
                            new org.bouncycastle.asn1.x509.DistributionPointName(
                                    new org.bouncycastle.asn1.x509.GeneralNames(
                                            new org.bouncycastle.asn1.x509.GeneralName(
                                                    org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier,
                                                    url))),
                            true,
                            false,
                            null,
                            false,
                            false)
                    .getEncoded("DER");
            return tlv(
                    0x30, concat(new byte[] {0x06, 0x03, 0x55, 0x1d, 0x1c, 0x01, 0x01, (byte) 0xff}, tlv(0x04, value)));
        } catch (final java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The critical delta CRL indicator extension naming base CRL number {@code base}. */
    private static byte[] deltaIndicator(final long base) {
        return tlv(
                0x30,
                concat(
                        new byte[] {0x06, 0x03, 0x55, 0x1d, 0x1b, 0x01, 0x01, (byte) 0xff},
                        tlv(0x04, tlv(0x02, BigInteger.valueOf(base).toByteArray()))));
    }

    /** The Freshest CRL extension naming {@code url}. */
    private static byte[] freshest(final String url) {
        try {
            final byte[] value = new org.bouncycastle.asn1.x509.CRLDistPoint(
                            new org.bouncycastle.asn1.x509.DistributionPoint[] {
                                new org.bouncycastle.asn1.x509.DistributionPoint(
                                        new org.bouncycastle.asn1.x509.DistributionPointName(
                                                new org.bouncycastle.asn1.x509.GeneralNames(
                                                        new org.bouncycastle.asn1.x509.GeneralName(
                                                                org.bouncycastle.asn1.x509.GeneralName
                                                                        .uniformResourceIdentifier,
                                                                url))),
                                        null,
                                        null)
                            })
                    .getEncoded("DER");
            return tlv(0x30, concat(new byte[] {0x06, 0x03, 0x55, 0x1d, 0x2e}, tlv(0x04, value)));
        } catch (final java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] tlv(final int tag, final byte[] value) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(value.length + 6);
        out.write(tag);
        final int length = value.length;
        if (length < 0x80) {
            out.write(length);
        } else if (length < 0x100) {
            out.write(0x81);
            out.write(length);
        } else if (length < 0x10000) {
            out.write(0x82);
            out.write(length >> 8);
            out.write(length);
        } else if (length < 0x1000000) {
            out.write(0x83);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        } else {
            out.write(0x84);
            out.write(length >> 24);
            out.write(length >> 16);
            out.write(length >> 8);
            out.write(length);
        }
        out.writeBytes(value);
        return out.toByteArray();
    }

    private static byte[] concat(final byte[]... parts) {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
