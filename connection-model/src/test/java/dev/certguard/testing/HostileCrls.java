package dev.certguard.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import javax.security.auth.x500.X500Principal;

/**
 * CRL bytes shaped by whoever controls a CRL distribution point, for tests of what certguard reads
 * (and writes about) before any signature is checked. Stateless; thread-safe.
 */
public final class HostileCrls {

    private static final byte[] ECDSA_WITH_SHA256 =
            tlv(0x30, tlv(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 4, 3, 2}));

    private HostileCrls() {}

    /**
     * A CertificateList of {@code issuer} whose thisUpdate is a UTCTime holding {@code content} as it
     * is (any length, any bytes); its signature is junk.
     */
    public static byte[] withThisUpdate(final X500Principal issuer, final byte[] content) {
        final byte[] tbs = tlv(
                0x30,
                tlv(0x02, new byte[] {1}),
                ECDSA_WITH_SHA256,
                issuer.getEncoded(),
                tlv(0x17, content),
                tlv(0x17, "491231235959Z".getBytes(StandardCharsets.US_ASCII)));
        return tlv(0x30, tbs, ECDSA_WITH_SHA256, tlv(0x03, new byte[] {0, 1, 2, 3}));
    }

    /** One DER element: tag, definite length, the parts concatenated. */
    public static byte[] tlv(final int tag, final byte[]... parts) {
        final ByteArrayOutputStream value = new ByteArrayOutputStream();
        for (final byte[] part : parts) {
            value.writeBytes(part);
        }
        final int length = value.size();
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write(tag);
        if (length < 0x80) {
            out.write(length);
        } else {
            out.write(0x84);
            out.write(length >>> 24);
            out.write(length >>> 16);
            out.write(length >>> 8);
            out.write(length);
        }
        out.writeBytes(value.toByteArray());
        return out.toByteArray();
    }
}
