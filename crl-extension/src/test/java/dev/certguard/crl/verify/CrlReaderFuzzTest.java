package dev.certguard.crl.verify;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * The CRL reader against bytes anyone who controls a CRL source can shape: DER, PEM, NSS's and bare
 * base64 forms, every extension it reads. Whatever the bytes, the reader returns a CRL or throws its
 * own {@link CrlFormatException} with a message, never another exception; what it returns is bounded
 * by what it read (no entry without the bytes for it); and verification against a CA then ends in a
 * verified CRL or the verifier's own exceptions. In {@code mvn test} this runs over the committed
 * inputs (CRLs from openssl, GnuTLS, strongSwan, cfssl, NSS, easy-rsa and python3-cryptography,
 * partitions, deltas, and every crash found); {@code JAZZER_FUZZ=1} fuzzes it (docs/testing.md).
 */
class CrlReaderFuzzTest {

    private static final TestCa CA = TestCa.ec("CN=fuzz CA");
    private static final CrlVerifier VERIFIER = new CrlVerifier(List.of(CA.certificate), Duration.ZERO);
    /** The fewest bytes a revoked entry takes: SEQUENCE, a one-byte serial, a UTCTime. */
    private static final int ENTRY_BYTES = 2 + 3 + 15;

    @FuzzTest(maxDuration = "30m")
    void any_bytes_give_a_crl_or_a_format_error(final byte[] input) {
        final ParsedCrl crl;
        try {
            crl = ParsedCrl.parse(input);
        } catch (final CrlFormatException refused) {
            assertThat(refused.getMessage()).isNotBlank();
            return;
        }
        assertThat((long) crl.revoked().size() * ENTRY_BYTES).isLessThanOrEqualTo(input.length);
        assertThat(crl.issuer()).isNotNull();
        try {
            final VerifiedCrl verified = VERIFIER.verify(crl, "fuzz", Instant.now());
            assertThat(verified.revoked().size()).isEqualTo(crl.revoked().size());
        } catch (final CrlVerificationException refused) {
            assertThat(refused.getMessage()).isNotBlank();
        }
    }
}
