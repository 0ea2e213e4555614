package dev.certguard.identity;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.der.Der;
import java.nio.charset.StandardCharsets;

/**
 * Reads a subject name's only CN from the name's DER, checking how it is written: the JDK renders
 * every string type as text, some wrongly (a PrintableString's bytes read as UTF-8, a BMPString's as
 * single bytes), so a CN is an identity only when its string type holds what that type may hold. Allowed: a
 * UTF8String (well-formed UTF-8 is checked by the identity rules, which refuse U+FFFD), a
 * PrintableString of its ASN.1 alphabet, an IA5String or TeletexString of ASCII. Anything else (BMP,
 * Universal, Videotex and other strings, non-string values) is refused. Stateless; thread-safe.
 */
final class CommonNameEncoding {

    private static final int SEQUENCE = 0x30;
    private static final int SET = 0x31;
    private static final int OID = 0x06;
    private static final byte[] CN = {0x55, 0x04, 0x03};
    private static final int UTF8_STRING = 0x0c;
    private static final int PRINTABLE_STRING = 0x13;
    private static final int TELETEX_STRING = 0x14;
    private static final int IA5_STRING = 0x16;

    private CommonNameEncoding() {}

    /**
     * The only CN of {@code name} (a DER Name), read from its bytes: a UTF8String as UTF-8 (malformed
     * bytes become U+FFFD, which the identity rules refuse), the other allowed types as the ASCII they
     * are limited to. No text rendering and re-parsing of the whole name, which costs a CONNECT more
     * than every other step of reading its identity.
     *
     * @throws InvalidIdentityException when the name has no CN or more than one (in any RDN,
     *     multi-valued ones included, the same value twice included), a CN is written in a way that is
     *     not an identity, an RDN is empty, or the name cannot be walked
     */
    static @NotNull String read(final byte @NotNull [] name) throws InvalidIdentityException {
        final int[] rdns = element(name, 0, name.length, SEQUENCE);
        if (rdns[1] != name.length) {
            throw new InvalidIdentityException("certificate subject cannot be parsed");
        }
        int count = 0;
        String commonName = null;
        for (int rdn = rdns[0]; rdn < rdns[1]; ) {
            final int[] set = element(name, rdn, rdns[1], SET);
            if (set[0] == set[1]) {
                throw new InvalidIdentityException("certificate subject cannot be parsed");
            }
            for (int ava = set[0]; ava < set[1]; ) {
                final int[] pair = element(name, ava, set[1], SEQUENCE);
                final int[] type = element(name, pair[0], pair[1], OID);
                if (isCn(name, type)) {
                    count++;
                    commonName = value(name, type[1], pair[1]);
                }
                ava = pair[1];
            }
            rdn = set[1];
        }
        if (count == 0) {
            throw new InvalidIdentityException("certificate subject has no CN");
        }
        if (count > 1) {
            throw new InvalidIdentityException("certificate subject has " + count + " CNs, exactly one is required");
        }
        return commonName;
    }

    private static boolean isCn(final byte[] name, final int[] type) {
        if (type[1] - type[0] != CN.length) {
            return false;
        }
        for (int i = 0; i < CN.length; i++) {
            if (name[type[0] + i] != CN[i]) {
                return false;
            }
        }
        return true;
    }

    private static String value(final byte[] name, final int at, final int end) throws InvalidIdentityException {
        if (at >= end) {
            throw new InvalidIdentityException("certificate subject CN has no value");
        }
        final int tag = name[at] & 0xff;
        final int[] value = element(name, at, end, tag);
        for (int i = value[0]; i < value[1]; i++) {
            final int b = name[i] & 0xff;
            final boolean allowed;
            switch (tag) {
                case UTF8_STRING:
                    allowed = true;
                    break;
                case PRINTABLE_STRING:
                    allowed = printable(b);
                    break;
                case IA5_STRING:
                case TELETEX_STRING:
                    allowed = b < 0x80;
                    break;
                default:
                    throw new InvalidIdentityException(
                            "certificate subject CN is not a UTF8String, PrintableString, IA5String or TeletexString");
            }
            if (!allowed) {
                throw new InvalidIdentityException(
                        "certificate subject CN holds a byte its string type does not allow (0x"
                                + Integer.toHexString(b) + ")");
            }
        }
        if (value[1] != end) {
            throw new InvalidIdentityException("certificate subject cannot be parsed");
        }
        return tag == UTF8_STRING
                ? new String(name, value[0], value[1] - value[0], StandardCharsets.UTF_8)
                : new String(name, value[0], value[1] - value[0], StandardCharsets.US_ASCII);
    }

    /**
     * ASN.1 PrintableString: letters, digits, space and {@code '()+,-./:=?}; and {@code *} and
     * {@code &}, which Go's encoder (cfssl's) writes there by existing practice.
     */
    static boolean printable(final int b) {
        return (b >= 'A' && b <= 'Z')
                || (b >= 'a' && b <= 'z')
                || (b >= '0' && b <= '9')
                || " '()+,-./:=?*&".indexOf(b) >= 0;
    }

    /** {@link Der#element}, an unwalkable name refused as an identity. */
    private static int[] element(final byte[] der, final int at, final int limit, final int tag)
            throws InvalidIdentityException {
        try {
            return Der.element(der, at, limit, tag);
        } catch (final IllegalArgumentException e) {
            throw new InvalidIdentityException("certificate subject cannot be parsed");
        }
    }
}
