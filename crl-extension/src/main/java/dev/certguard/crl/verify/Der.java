package dev.certguard.crl.verify;

import dev.certguard.text.UntrustedText;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * A minimal DER reader over a byte array: enough of X.690 to walk a CRL without building an object
 * per entry. Every read is bounds-checked; malformed input raises {@link CrlFormatException}.
 * Not thread-safe (a cursor); cheap to create.
 */
final class Der {

    static final int INTEGER = 0x02;
    static final int BIT_STRING = 0x03;
    static final int OCTET_STRING = 0x04;
    static final int OID = 0x06;
    static final int BOOLEAN = 0x01;
    static final int SEQUENCE = 0x30;
    static final int UTC_TIME = 0x17;
    static final int GENERALIZED_TIME = 0x18;
    static final int MAX_OID_BYTES = 64;

    final byte[] data;
    private int position;
    private final int end;

    Der(final byte[] data, final int start, final int end) {
        this.data = data;
        this.position = start;
        this.end = end;
    }

    /** One TLV: tag, and the value's bounds in {@link #data}. */
    static final class Tlv {
        final int tag;
        final int start;
        final int valueStart;
        final int end;

        Tlv(final int tag, final int start, final int valueStart, final int end) {
            this.tag = tag;
            this.start = start;
            this.valueStart = valueStart;
            this.end = end;
        }

        int length() {
            return end - valueStart;
        }
    }

    boolean hasMore() {
        return position < end;
    }

    int peekTag() throws CrlFormatException {
        if (position >= end) {
            throw new CrlFormatException("truncated: expected more DER data");
        }
        return data[position] & 0xff;
    }

    Tlv next() throws CrlFormatException {
        final int start = position;
        if (end - position < 2) {
            throw new CrlFormatException("truncated DER element at offset " + position);
        }
        final int tag = data[position++] & 0xff;
        if ((tag & 0x1f) == 0x1f) {
            throw new CrlFormatException("multi-byte DER tags are not used in CRLs (offset " + start + ")");
        }
        int length = data[position++] & 0xff;
        if (length >= 0x80) {
            final int bytes = length & 0x7f;
            if (bytes == 0 || bytes > 4) {
                throw new CrlFormatException("unsupported DER length at offset " + start);
            }
            if (end - position < bytes) {
                throw new CrlFormatException("truncated DER length at offset " + start);
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (data[position++] & 0xff);
            }
            if (length < 0) {
                throw new CrlFormatException("DER length too large at offset " + start);
            }
        }
        if (length > end - position) {
            throw new CrlFormatException("truncated: element at offset " + start + " claims " + length + " bytes, "
                    + (end - position) + " remain");
        }
        final Tlv tlv = new Tlv(tag, start, position, position + length);
        position += length;
        return tlv;
    }

    Tlv expect(final int tag, final String what) throws CrlFormatException {
        final Tlv tlv = next();
        if (tlv.tag != tag) {
            throw new CrlFormatException(what + ": expected tag 0x" + Integer.toHexString(tag) + ", found 0x"
                    + Integer.toHexString(tlv.tag));
        }
        return tlv;
    }

    Der inside(final Tlv tlv) {
        return new Der(data, tlv.valueStart, tlv.end);
    }

    Instant time(final String what) throws CrlFormatException {
        final Tlv tlv = next();
        if (tlv.tag != UTC_TIME && tlv.tag != GENERALIZED_TIME) {
            throw new CrlFormatException(what + ": expected a time, found tag 0x" + Integer.toHexString(tlv.tag));
        }
        final int expected = tlv.tag == UTC_TIME ? 13 : 15;
        if (tlv.length() != expected) {
            throw new CrlFormatException(
                    what + ": malformed time: " + tlv.length() + " bytes, a DER time of this type has " + expected);
        }
        // Read digit by digit (a CRL holds one time per entry: a formatter would allocate about 1.5 KB each).
        final int start = tlv.valueStart;
        final int digits = expected - 1;
        boolean wellFormed = data[start + digits] == 'Z';
        for (int i = 0; i < digits && wellFormed; i++) {
            wellFormed = data[start + i] >= '0' && data[start + i] <= '9';
        }
        if (wellFormed) {
            int at = start;
            int year;
            if (tlv.tag == UTC_TIME) {
                year = twoDigits(at);
                // RFC 5280: two-digit years 50..99 mean 19xx, 00..49 mean 20xx.
                year += year >= 50 ? 1900 : 2000;
                at += 2;
            } else {
                year = twoDigits(at) * 100 + twoDigits(at + 2);
                at += 4;
            }
            try {
                return LocalDateTime.of(
                                year,
                                twoDigits(at),
                                twoDigits(at + 2),
                                twoDigits(at + 4),
                                twoDigits(at + 6),
                                twoDigits(at + 8))
                        .toInstant(ZoneOffset.UTC);
            } catch (final java.time.DateTimeException e) {
                // a month 13, a 30 February, an hour 24: malformed, as below
            }
        }
        // The field is the CRL's (not yet verified) text: escaped, never raw.
        throw new CrlFormatException(what + ": malformed time '"
                + UntrustedText.escape(new String(data, start, tlv.length(), StandardCharsets.ISO_8859_1)) + "'");
    }

    private int twoDigits(final int at) {
        return (data[at] - '0') * 10 + (data[at + 1] - '0');
    }

    /** Dotted form of an OBJECT IDENTIFIER value. */
    static String oid(final byte[] data, final Tlv tlv) throws CrlFormatException {
        if (tlv.length() == 0) {
            throw new CrlFormatException("empty OID");
        }
        if (tlv.length() > MAX_OID_BYTES) {
            // Real OIDs take a few dozen bytes; a longer one would become an unbounded string.
            throw new CrlFormatException("OID of " + tlv.length() + " bytes (at most " + MAX_OID_BYTES + " are read)");
        }
        final StringBuilder out = new StringBuilder();
        long value = 0;
        boolean first = true;
        for (int i = tlv.valueStart; i < tlv.end; i++) {
            value = (value << 7) | (data[i] & 0x7f);
            if ((data[i] & 0x80) == 0) {
                if (first) {
                    final long top = Math.min(value / 40, 2);
                    out.append(top).append('.').append(value - top * 40);
                    first = false;
                } else {
                    out.append('.').append(value);
                }
                value = 0;
            } else if (value > (Long.MAX_VALUE >> 7)) {
                throw new CrlFormatException("OID component too large");
            }
        }
        return out.toString();
    }
}
