package dev.certguard.crl.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.certguard.testing.HostileCrls;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.stream.Stream;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * CRLs shaped by whoever controls (or sits in front of) a CRL distribution point: no CA key is needed
 * to put text into the reader's messages, since they are written before the signature is checked.
 * Every message stays free of raw control and format characters and bounded; the reader's edge
 * defects are refused with its own exception.
 */
class HostileCrlTest {

    private static final TestCa CA = TestCa.ec("CN=IOTmidCA");
    private static final CrlVerifier VERIFIER = new CrlVerifier(List.of(CA.certificate), Duration.ofHours(1));
    private static final String FORGED = "\n2026-12-06 12:00:00.000 WARN  CrlRefresher - crl-extension: all good";

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("newline and a forged line", FORGED),
                Arguments.of("carriage return", "\rWARN forged"),
                Arguments.of("ANSI escape", "\u001b[2J\u001b[31mred"),
                Arguments.of("NUL", "a\u0000b"),
                Arguments.of("right-to-left override", "\u202egpj.exe"),
                Arguments.of("1 MiB", "x".repeat(1 << 20)));
    }

    @ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {"260230000000Z", "260101240000Z", "261301000000Z", "260101006000Z"})
    void an_impossible_date_is_a_format_error_never_moved_to_a_real_one(final String time) {
        final Throwable thrown = catchThrowable(() -> ParsedCrl.parse(HostileCrls.withThisUpdate(
                CA.certificate.getSubjectX500Principal(), time.getBytes(StandardCharsets.US_ASCII))));

        assertThat(thrown).isInstanceOf(CrlFormatException.class).hasMessageContaining("malformed time '" + time + "'");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void a_hostile_this_update_field_never_reaches_the_message_raw(final String what, final String text) {
        final byte[] padded =
                (text.length() < 13 ? text + "0".repeat(13 - text.length()) : text).getBytes(StandardCharsets.UTF_8);
        for (final byte[] field : List.of(padded, java.util.Arrays.copyOf(padded, 13))) {
            final Throwable thrown = catchThrowable(
                    () -> ParsedCrl.parse(HostileCrls.withThisUpdate(CA.certificate.getSubjectX500Principal(), field)));

            assertThat(thrown).as(what).isInstanceOf(CrlFormatException.class);
            assertSafe(what, thrown.getMessage());
            assertThat(thrown.getMessage()).as(what).contains("thisUpdate: malformed time");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void a_hostile_issuer_name_never_reaches_the_message_raw(final String what, final String text) throws Exception {
        final TestCa.Crl crl = CA.crl();
        crl.issuer = new X500Name(new RDN[] {new RDN(BCStyle.CN, new DERUTF8String("evil" + text))});

        final Throwable thrown = catchThrowable(() -> VERIFIER.verify(ParsedCrl.parse(crl.der()), "t", Instant.now()));

        assertThat(thrown).as(what).isInstanceOf(CrlVerificationException.class);
        assertThat(thrown.getMessage()).as(what).contains("is not one of the configured ca-certificates");
        assertSafe(what, thrown.getMessage());
    }

    @Test
    void a_pem_block_whose_end_marker_overlaps_its_begin_marker_is_a_format_error() {
        assertThatThrownBy(() -> ParsedCrl.parse(ascii("-----BEGIN X509 CRL-----END X509 CRL-----")))
                .isInstanceOf(CrlFormatException.class)
                .hasMessageContaining("no '-----END X509 CRL-----' after");
    }

    @Test
    void an_empty_or_reversed_pem_block_is_a_format_error() {
        assertThatThrownBy(() -> ParsedCrl.parse(ascii("-----BEGIN X509 CRL-----\n\n-----END X509 CRL-----\n")))
                .isInstanceOf(CrlFormatException.class)
                .hasMessage("PEM block is empty");
        final String body = Base64.getMimeEncoder().encodeToString(CA.crl().der());
        assertThatThrownBy(() ->
                        ParsedCrl.parse(ascii("-----END X509 CRL-----\n" + body + "\n-----BEGIN X509 CRL-----\n")))
                .isInstanceOf(CrlFormatException.class)
                .hasMessageContaining("reversed");
    }

    @Test
    void a_pem_block_after_other_text_is_read() throws Exception {
        final byte[] der = CA.crl().der();
        final String pem = "Certificate Revocation List\n-----BEGIN X509 CRL-----\n"
                + Base64.getMimeEncoder().encodeToString(der) + "\n-----END X509 CRL-----\n";

        assertThat(ParsedCrl.parse(ascii(pem)).thisUpdate())
                .isEqualTo(ParsedCrl.parse(der).thisUpdate());
    }

    @Test
    void a_signed_crl_whose_next_update_is_not_after_its_this_update_is_refused() throws Exception {
        final TestCa.Crl before = CA.crl();
        before.nextUpdate = before.thisUpdate.minusSeconds(10);
        final TestCa.Crl equal = CA.crl();
        equal.nextUpdate = equal.thisUpdate;

        for (final TestCa.Crl crl : List.of(before, equal)) {
            assertThatThrownBy(() -> VERIFIER.verify(ParsedCrl.parse(crl.der()), "t", Instant.now()))
                    .isInstanceOf(CrlVerificationException.class)
                    .hasMessageContaining("is not after thisUpdate");
        }
    }

    @Test
    void a_different_critical_extension_on_every_entry_is_read_in_linear_time_and_noted_boundedly() throws Exception {
        final org.bouncycastle.cert.X509v2CRLBuilder builder = new org.bouncycastle.cert.X509v2CRLBuilder(
                X500Name.getInstance(CA.certificate.getSubjectX500Principal().getEncoded()),
                java.util.Date.from(Instant.now().minusSeconds(5)));
        builder.setNextUpdate(java.util.Date.from(Instant.now().plusSeconds(3600)));
        final java.util.Date date = new java.util.Date();
        for (int i = 0; i < 40_000; i++) {
            builder.addCRLEntry(
                    java.math.BigInteger.valueOf(i + 1),
                    date,
                    new org.bouncycastle.asn1.x509.Extensions(new org.bouncycastle.asn1.x509.Extension(
                            new org.bouncycastle.asn1.ASN1ObjectIdentifier("1.3.6.1.4.1.99999." + i),
                            true,
                            new byte[] {5, 0})));
        }
        final byte[] der = builder.build(new org.bouncycastle.operator.jcajce.JcaContentSignerBuilder("SHA256withECDSA")
                        .build(CA.keys.getPrivate()))
                .getEncoded();

        final long started = System.nanoTime();
        final Throwable thrown = catchThrowable(() -> VERIFIER.verify(ParsedCrl.parse(der), "t", Instant.now()));
        final long millis = (System.nanoTime() - started) / 1_000_000;

        assertThat(thrown).isInstanceOf(CrlVerificationException.class).hasMessageContaining("critical extension");
        assertThat(thrown.getMessage()).endsWith(", more").hasSizeLessThan(400);
        assertThat(millis).as("quadratic would take minutes").isLessThan(5_000);
    }

    @Test
    void an_oversized_oid_is_a_format_error_not_an_unbounded_string() {
        final byte[] oid = new byte[1 << 20];
        java.util.Arrays.fill(oid, (byte) 0x01);
        final byte[] algorithm = HostileCrls.tlv(0x30, HostileCrls.tlv(0x06, oid));
        final byte[] crl = HostileCrls.tlv(
                0x30,
                HostileCrls.tlv(0x30, HostileCrls.tlv(0x02, new byte[] {1})),
                algorithm,
                HostileCrls.tlv(0x03, new byte[] {0, 1}));

        assertThatThrownBy(() -> ParsedCrl.parse(crl))
                .isInstanceOf(CrlFormatException.class)
                .hasMessage("OID of 1048576 bytes (at most 64 are read)");
    }

    @Test
    void an_extension_that_appears_twice_is_a_format_error() {
        final byte[] algorithm = HostileCrls.tlv(
                0x30, HostileCrls.tlv(0x06, new byte[] {0x2a, (byte) 0x86, 0x48, (byte) 0xce, 0x3d, 0x04, 0x03, 0x02}));
        final byte[] time = HostileCrls.tlv(0x17, "260101000000Z".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        final byte[] idp = HostileCrls.tlv(
                0x30,
                HostileCrls.tlv(0x06, new byte[] {0x55, 0x1d, 0x1c}),
                HostileCrls.tlv(0x01, new byte[] {(byte) 0xff}),
                HostileCrls.tlv(0x04, HostileCrls.tlv(0x30)));
        final byte[] tbs = HostileCrls.tlv(
                0x30,
                HostileCrls.tlv(0x02, new byte[] {1}),
                algorithm,
                CA.certificate.getSubjectX500Principal().getEncoded(),
                time,
                time,
                HostileCrls.tlv(0xa0, HostileCrls.tlv(0x30, idp, idp)));
        final byte[] crl = HostileCrls.tlv(0x30, tbs, algorithm, HostileCrls.tlv(0x03, new byte[] {0, 1}));

        assertThatThrownBy(() -> ParsedCrl.parse(crl))
                .isInstanceOf(CrlFormatException.class)
                .hasMessage("extension 2.5.29.28 appears twice");
    }

    private static void assertSafe(final String what, final String message) {
        assertThat(message.length()).as(what + ": length").isLessThan(400);
        for (int i = 0; i < message.length(); i++) {
            final char c = message.charAt(i);
            assertThat(Character.isISOControl(c) || Character.getType(c) == Character.FORMAT)
                    .as("%s: raw U+%04X at %d in %s", what, (int) c, i, message)
                    .isFalse();
        }
    }

    private static byte[] ascii(final String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
