package dev.certguard.keys;

import static dev.certguard.der.Der.element;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;

/**
 * Whether a certificate's EC key names P-256, P-384 or P-521 in its SubjectPublicKeyInfo, read from
 * the certificate's DER: a key object of a native crypto provider builds its whole curve description
 * across the native boundary when asked for it, which cost a CONNECT more than the rest of the key
 * check. A key that names another curve, or carries its curve's parameters explicitly, or a
 * certificate that cannot be walked, is not recognised here and is judged from its key object.
 * Stateless; thread-safe.
 */
final class NamedCurve {

    private static final int SEQUENCE = 0x30;
    private static final int OID = 0x06;
    private static final int VERSION = 0xa0;
    /** id-ecPublicKey, 1.2.840.10045.2.1. */
    private static final byte[] EC_PUBLIC_KEY = {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x02, 0x01};
    /** secp256r1, secp384r1, secp521r1. */
    private static final byte[][] ALLOWED = {
        {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x03, 0x01, 0x07},
        {0x2b, (byte) 0x81, 0x04, 0x00, 0x22},
        {0x2b, (byte) 0x81, 0x04, 0x00, 0x23}
    };

    private NamedCurve() {}

    /** {@code true} only when the certificate's key is an EC key naming one of the three NIST curves. */
    static boolean isAllowed(final @NotNull X509Certificate certificate) {
        try {
            return isAllowed(certificate.getEncoded());
        } catch (final CertificateEncodingException e) {
            return false;
        }
    }

    static boolean isAllowed(final byte @NotNull [] der) {
        try {
            final int[] certificate = element(der, 0, der.length, SEQUENCE);
            final int[] tbs = element(der, certificate[0], certificate[1], SEQUENCE);
            int at = tbs[0];
            if (at < tbs[1] && (der[at] & 0xff) == VERSION) {
                at = element(der, at, tbs[1], VERSION)[1];
            }
            // serial, signature, issuer, validity, subject
            for (int skip = 0; skip < 5; skip++) {
                at = element(der, at, tbs[1], der[at] & 0xff)[1];
            }
            final int[] keyInfo = element(der, at, tbs[1], SEQUENCE);
            final int[] algorithm = element(der, keyInfo[0], keyInfo[1], SEQUENCE);
            final int[] type = element(der, algorithm[0], algorithm[1], OID);
            if (!equal(der, type, EC_PUBLIC_KEY) || type[1] >= algorithm[1]) {
                return false;
            }
            final int[] curve = element(der, type[1], algorithm[1], OID);
            if (curve[1] != algorithm[1]) {
                return false;
            }
            for (final byte[] allowed : ALLOWED) {
                if (equal(der, curve, allowed)) {
                    return true;
                }
            }
            return false;
        } catch (final IllegalArgumentException | ArrayIndexOutOfBoundsException unreadable) {
            return false;
        }
    }

    private static boolean equal(final byte[] der, final int[] bounds, final byte[] expected) {
        return bounds[1] - bounds[0] == expected.length
                && Arrays.equals(der, bounds[0], bounds[1], expected, 0, expected.length);
    }
}
