package dev.certguard.crl.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.certguard.testing.HostileCrls;
import java.lang.management.ManagementFactory;
import java.math.BigInteger;
import java.time.Instant;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * What the CRL reader spends on bytes it has not verified is bounded by those bytes: a length field
 * claiming 2 GB or a billion entries allocates nothing near it, and a CRL of many entries costs memory
 * in proportion to its size (measured as bytes allocated by the reading thread, which, unlike time,
 * noise cannot move: 11.5 bytes per CRL byte at 40,000 entries; 50 before each entry's revocation
 * date was read without a date formatter).
 */
class CrlReaderBoundsTest {

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private static long allocatedBy(final Runnable work) {
        final long before = THREADS.getCurrentThreadAllocatedBytes();
        work.run();
        return THREADS.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void a_length_field_of_two_gigabytes_is_a_format_error_without_allocating_it() {
        final byte[] claim = {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x30, 0x00};
        allocatedBy(() -> assertThatThrownBy(() -> ParsedCrl.parse(claim))); // classes loaded

        final long allocated = allocatedBy(
                () -> assertThatThrownBy(() -> ParsedCrl.parse(claim)).isInstanceOf(CrlFormatException.class));

        assertThat(allocated).isLessThan(1 << 20);
    }

    @Test
    void a_revoked_list_claiming_a_billion_entries_is_a_format_error_without_allocating_them() {
        // A tbsCertList whose revokedCertificates SEQUENCE claims 24 GB (a billion entries of 24 bytes)
        // but holds one entry.
        final byte[] entry = HostileCrls.tlv(
                0x30,
                HostileCrls.tlv(0x02, new byte[] {1}),
                HostileCrls.tlv(0x17, "261207000000Z".getBytes(java.nio.charset.StandardCharsets.US_ASCII)));
        final byte[] claimedList = concat(new byte[] {0x30, (byte) 0x84, 0x05, (byte) 0xf5, (byte) 0xe1, 0x00}, entry);
        final byte[] tbs = HostileCrls.tlv(
                0x30,
                HostileCrls.tlv(0x02, new byte[] {1}),
                HostileCrls.tlv(
                        0x30, HostileCrls.tlv(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 4, 3, 2})),
                TestCa.ec("CN=bounds").certificate.getSubjectX500Principal().getEncoded(),
                HostileCrls.tlv(0x17, "261207000000Z".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                HostileCrls.tlv(0x17, "261208000000Z".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                claimedList);
        final byte[] crl = HostileCrls.tlv(0x30, tbs);
        allocatedBy(() -> assertThatThrownBy(() -> ParsedCrl.parse(crl))); // classes loaded

        final long allocated = allocatedBy(
                () -> assertThatThrownBy(() -> ParsedCrl.parse(crl)).isInstanceOf(CrlFormatException.class));

        assertThat(allocated).isLessThan(1 << 20);
    }

    @Test
    void reading_a_crl_allocates_in_proportion_to_its_size() throws Exception {
        final TestCa ca = TestCa.ec("CN=bounds CA");
        final byte[] small = crl(ca, 2_000);
        final byte[] large = crl(ca, 40_000);
        ParsedCrl.parse(small); // classes loaded, caches warm

        final long smallBytes = allocatedBy(() -> parse(small));
        final long largeBytes = allocatedBy(() -> parse(large));

        assertThat((double) largeBytes / large.length)
                .as("bytes allocated per CRL byte, 40,000 entries")
                .isLessThan(16.0);
        assertThat((double) largeBytes / large.length)
                .as("no worse per byte than a CRL of 2,000 entries, give or take fixed costs")
                .isLessThan(2.0 * smallBytes / small.length + 0.5);
    }

    private static void parse(final byte[] der) {
        try {
            assertThat(ParsedCrl.parse(der).revoked().size()).isPositive();
        } catch (final CrlFormatException e) {
            throw new AssertionError(e);
        }
    }

    private static byte[] crl(final TestCa ca, final int entries) {
        final TestCa.Crl crl = ca.crl();
        crl.revoked = new BigInteger[entries];
        for (int i = 0; i < entries; i++) {
            crl.revoked[i] = BigInteger.valueOf(1_000_000L + i * 7919L);
        }
        crl.nextUpdate = Instant.now().plusSeconds(3600);
        return crl.der();
    }

    private static byte[] concat(final byte[] a, final byte[] b) {
        final byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
