package dev.certguard.crl.verify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class CrlVerifierTest {

    private static final TestCa EC = TestCa.ec("CN=IOTmidCA,O=certguard");
    private static final TestCa RSA = TestCa.rsa("CN=RSA CA");
    private static final CrlVerifier VERIFIER =
            new CrlVerifier(List.of(EC.certificate, RSA.certificate), Duration.ZERO);

    private static VerifiedCrl verify(final byte[] bytes) throws Exception {
        return VERIFIER.verify(ParsedCrl.parse(bytes), "test", Instant.now());
    }

    @Test
    void good_ec_and_rsa_crls_verify_and_list_their_revoked_serials() throws Exception {
        final TestCa.Crl ec = EC.crl();
        ec.revoked = new BigInteger[] {
            BigInteger.valueOf(7), new BigInteger("8000000000000000", 16), new BigInteger(160, new Random(1))
        };
        final TestCa.Crl rsa = RSA.crl();
        rsa.revoked = new BigInteger[] {BigInteger.TEN};

        final VerifiedCrl verifiedEc = verify(ec.der());
        final VerifiedCrl verifiedRsa = verify(rsa.der());

        assertThat(verifiedEc.issuer()).isEqualTo(EC.certificate.getSubjectX500Principal());
        assertThat(verifiedEc.revoked().size()).isEqualTo(3);
        for (final BigInteger serial : ec.revoked) {
            assertThat(verifiedEc.revoked().contains(serial.toByteArray()))
                    .as("serial %s", serial)
                    .isTrue();
        }
        assertThat(verifiedEc.revoked().contains(BigInteger.valueOf(8).toByteArray()))
                .isFalse();
        assertThat(verifiedEc.number()).isEqualTo(BigInteger.ONE);
        assertThat(verifiedRsa.revoked().contains(BigInteger.TEN.toByteArray())).isTrue();
    }

    @Test
    void a_crl_signed_by_a_ca_whose_key_is_an_rsassa_pss_key_verifies_with_native_crypto_first() throws Exception {
        // The test JVM runs with the native provider first: it takes RSASSA-PSS signatures but not
        // RSASSA-PSS keys, so the key must pick the provider before the PSS parameters are set.
        final TestCa pss = TestCa.rsaPss("CN=PSS CA");
        final TestCa.Crl crl = pss.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(42)};

        final VerifiedCrl verified = new CrlVerifier(List.of(EC.certificate, pss.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.der()), "test", Instant.now());

        assertThat(pss.certificate.getPublicKey().getAlgorithm()).isEqualTo("RSASSA-PSS");
        assertThat(verified.revoked().contains(BigInteger.valueOf(42).toByteArray()))
                .isTrue();
    }

    /** Every signature a CA signs CRLs with: key algorithm, key size, signature algorithm. */
    static Stream<Arguments> signatures() {
        return Stream.of(
                Arguments.of("RSA", 2048, "SHA256withRSA"),
                Arguments.of("RSA", 3072, "SHA384withRSA"),
                Arguments.of("RSA", 4096, "SHA512withRSA"),
                Arguments.of("RSA", 2048, "SHA256withRSAandMGF1"),
                Arguments.of("RSA", 2048, "SHA384withRSAandMGF1"),
                Arguments.of("RSA", 2048, "SHA512withRSAandMGF1"),
                Arguments.of("RSASSA-PSS", 2048, "SHA256withRSAandMGF1"),
                Arguments.of("RSASSA-PSS", 2048, "SHA384withRSAandMGF1"),
                Arguments.of("RSASSA-PSS", 2048, "SHA512withRSAandMGF1"),
                Arguments.of("EC", 256, "SHA256withECDSA"),
                Arguments.of("EC", 384, "SHA384withECDSA"),
                Arguments.of("EC", 521, "SHA512withECDSA"),
                Arguments.of("EC", 256, "SHA512withECDSA"),
                Arguments.of("Ed25519", 0, "Ed25519"));
    }

    @ParameterizedTest(name = "{0} {1} signing {2}")
    @MethodSource("signatures")
    void crls_signed_with_every_common_algorithm_verify_and_a_flipped_signature_bit_does_not(
            final String keyAlgorithm, final int size, final String signature) throws Exception {
        final TestCa ca = TestCa.signingWith("CN=" + signature + " CA", keyAlgorithm, size, signature);
        final TestCa.Crl crl = ca.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(4242)};
        final CrlVerifier verifier = new CrlVerifier(List.of(EC.certificate, ca.certificate), Duration.ZERO);
        final byte[] der = crl.der();

        final VerifiedCrl verified = verifier.verify(ParsedCrl.parse(der), "test", Instant.now());

        assertThat(verified.revoked().contains(BigInteger.valueOf(4242).toByteArray()))
                .isTrue();
        final byte[] tampered = der.clone();
        tampered[tampered.length - 1] ^= 0x01;
        assertThatThrownBy(() -> verifier.verify(ParsedCrl.parse(tampered), "test", Instant.now()))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("signature does not verify");
    }

    @Test
    void pem_and_der_forms_are_equivalent() throws Exception {
        final byte[] der = EC.crl().der();
        final String pem = "-----BEGIN X509 CRL-----\n"
                + Base64.getMimeEncoder().encodeToString(der) + "\n-----END X509 CRL-----\n";

        assertThat(verify(pem.getBytes(StandardCharsets.US_ASCII)).thisUpdate())
                .isEqualTo(verify(der).thisUpdate());
    }

    @Test
    void bare_base64_as_cfssl_prints_it_and_nss_begin_crl_armour_read_like_der() throws Exception {
        final byte[] der = EC.crl().der();
        final String base64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                .encodeToString(der);
        final String nss = "-----BEGIN CRL-----\r\n" + base64 + "\r\n-----END CRL-----\r\n";

        assertThat(verify((base64 + "\n").getBytes(StandardCharsets.US_ASCII)).thisUpdate())
                .isEqualTo(verify(der).thisUpdate());
        assertThat(verify(Base64.getEncoder().encode(der)).number()).isEqualTo(BigInteger.ONE);
        assertThat(verify(nss.getBytes(StandardCharsets.US_ASCII)).thisUpdate())
                .isEqualTo(verify(der).thisUpdate());
        // Base64 of something that is not a DER SEQUENCE is not taken for a CRL.
        assertThatThrownBy(() -> ParsedCrl.parse(Base64.getEncoder().encode("hello".getBytes())))
                .isInstanceOf(CrlFormatException.class)
                .hasMessageContaining("neither DER, nor base64 of DER");
        assertThatThrownBy(() -> ParsedCrl.parse("-----BEGIN CRL-----\nAAAA\n".getBytes()))
                .isInstanceOf(CrlFormatException.class)
                .hasMessageContaining("-----END CRL-----");
    }

    @Test
    void a_crl_number_that_is_not_a_der_integer_is_refused_naming_the_field() throws Exception {
        final byte[] der = EC.crl().der();
        // cRLNumber 1 is encoded 02 01 01 inside its OCTET STRING (04 03): give the INTEGER another
        // tag, lengths unchanged, as a CA tool that writes a malformed number would.
        final byte[] bad = der.clone();
        boolean found = false;
        for (int i = 0; i + 4 < bad.length; i++) {
            if (bad[i] == 0x04
                    && bad[i + 1] == 0x03
                    && bad[i + 2] == 0x02
                    && bad[i + 3] == 0x01
                    && bad[i + 4] == 0x01) {
                bad[i + 2] = 0x01; // tag BOOLEAN instead of INTEGER
                found = true;
                break;
            }
        }
        assertThat(found).as("the CRL number's encoding").isTrue();

        assertThatThrownBy(() -> ParsedCrl.parse(bad))
                .isInstanceOf(CrlFormatException.class)
                .hasMessageContaining("cRLNumber is not a DER INTEGER");
    }

    @Test
    void crl_signed_by_another_key_under_the_same_name_is_refused() {
        final TestCa impostor = TestCa.ec("CN=IOTmidCA,O=certguard");
        final TestCa.Crl crl = EC.crl();
        crl.signer = impostor.keys;

        assertThatThrownBy(() -> verify(crl.der()))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("signature does not verify");
    }

    @Test
    void crl_of_an_issuer_that_is_not_configured_is_refused() {
        final TestCa stranger = TestCa.ec("CN=Stranger CA");

        assertThatThrownBy(() -> verify(stranger.crl().der()))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("is not one of the configured ca-certificates");
    }

    @Test
    void expired_crl_is_refused_unless_within_the_grace_period() throws Exception {
        final TestCa.Crl crl = EC.crl();
        crl.thisUpdate = Instant.now().minusSeconds(7200);
        crl.nextUpdate = Instant.now().minusSeconds(60);

        assertThatThrownBy(() -> verify(crl.der()))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("expired");
        assertThat(new CrlVerifier(List.of(EC.certificate), Duration.ofMinutes(5))
                        .verify(ParsedCrl.parse(crl.der()), "t", Instant.now()))
                .isNotNull();
    }

    @Test
    void numbered_crl_from_the_future_is_used_so_a_broker_clock_an_hour_behind_still_applies_new_revocations()
            throws Exception {
        final TestCa.Crl crl = EC.crl();
        crl.thisUpdate = Instant.now().plusSeconds(3600);
        crl.nextUpdate = Instant.now().plusSeconds(7200);
        crl.number = BigInteger.valueOf(7);

        assertThat(verify(crl.der()).number()).isEqualTo(BigInteger.valueOf(7));
    }

    @Test
    void crl_from_the_future_without_a_number_is_refused() {
        final TestCa.Crl crl = EC.crl();
        crl.thisUpdate = Instant.now().plusSeconds(3600);
        crl.nextUpdate = Instant.now().plusSeconds(7200);
        crl.number = null;

        assertThatThrownBy(() -> verify(crl.der()))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("in the future")
                .hasMessageContaining("no CRL number");
    }

    @Test
    void crl_without_next_update_is_refused() {
        final TestCa.Crl crl = EC.crl();
        crl.nextUpdate = null;

        assertThatThrownBy(() -> verify(crl.der()))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("no nextUpdate");
    }

    @Test
    void a_partition_is_verified_with_the_scope_its_issuing_distribution_point_gives() throws Exception {
        final TestCa.Crl named = EC.crl();
        named.idp = TestCa.idp("http://crl.example.com/part-1.crl", true, false, 0);
        final TestCa.Crl unnamed = EC.crl();
        unnamed.partitioned = true;

        final VerifiedCrl partition = verify(named.der());
        assertThat(partition.scope().names()).containsExactly("uri:http://crl.example.com/part-1.crl");
        assertThat(partition.scope().covers(false)).isTrue();
        assertThat(partition.scope().covers(true)).isFalse();
        assertThat(partition.key()).startsWith(partition.issuerKey() + "|idp:");
        assertThat(verify(unnamed.der()).scope().names()).isEmpty();
        assertThat(verify(EC.crl().der()).key()).isEqualTo(partition.issuerKey());
    }

    @Test
    void indirect_attribute_relative_and_contradictory_partitions_are_refused_by_name() {
        final TestCa.Crl indirect = EC.crl();
        indirect.idp = new org.bouncycastle.asn1.x509.IssuingDistributionPoint(null, false, false, null, true, false);
        final TestCa.Crl attributes = EC.crl();
        attributes.idp = new org.bouncycastle.asn1.x509.IssuingDistributionPoint(null, false, false, null, false, true);
        final TestCa.Crl both = EC.crl();
        // onlyContainsUserCerts [1] TRUE and onlyContainsCACerts [2] TRUE: BouncyCastle will not build it.
        both.idpDer = new byte[] {0x30, 0x06, (byte) 0x81, 0x01, (byte) 0xff, (byte) 0x82, 0x01, (byte) 0xff};
        final TestCa.Crl relative = EC.crl();
        relative.idp = new org.bouncycastle.asn1.x509.IssuingDistributionPoint(
                new org.bouncycastle.asn1.x509.DistributionPointName(
                        org.bouncycastle.asn1.x509.DistributionPointName.NAME_RELATIVE_TO_CRL_ISSUER,
                        new org.bouncycastle.asn1.x500.RDN(
                                org.bouncycastle.asn1.x500.style.BCStyle.CN,
                                new org.bouncycastle.asn1.DERUTF8String("part-1"))),
                false,
                false,
                null,
                false,
                false);

        assertThatThrownBy(() -> verify(indirect.der())).hasMessageContaining("indirectCRL");
        assertThatThrownBy(() -> verify(attributes.der())).hasMessageContaining("onlyContainsAttributeCerts");
        assertThatThrownBy(() -> verify(both.der()))
                .isInstanceOf(CrlVerificationException.class)
                .hasMessageContaining("issuingDistributionPoint");
        assertThatThrownBy(() -> verify(relative.der())).hasMessageContaining("relative to the CRL issuer");
    }

    @ParameterizedTest(name = "cut at {0} bytes from the end")
    @ValueSource(ints = {1, 2, 10, 50, 100})
    void truncated_crl_is_a_format_error(final int cut) {
        final TestCa.Crl crl = EC.crl();
        crl.revoked = new BigInteger[] {BigInteger.ONE, BigInteger.TWO, BigInteger.TEN};
        final byte[] der = crl.der();

        assertThatThrownBy(() -> verify(java.util.Arrays.copyOf(der, der.length - cut)))
                .isInstanceOfAny(CrlFormatException.class, CrlVerificationException.class);
    }

    @Test
    void empty_and_garbage_input_are_format_errors() {
        assertThatThrownBy(() -> ParsedCrl.parse(new byte[0]))
                .isInstanceOf(CrlFormatException.class)
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> ParsedCrl.parse("<html>Not Found</html>".getBytes()))
                .isInstanceOf(CrlFormatException.class);
        final byte[] random = new byte[4096];
        new Random(42).nextBytes(random);
        random[0] = 0x30;
        assertThatThrownBy(() -> ParsedCrl.parse(random)).isInstanceOf(CrlFormatException.class);
        assertThatThrownBy(() ->
                        ParsedCrl.parse(new byte[] {0x30, (byte) 0x84, 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}))
                .isInstanceOf(CrlFormatException.class);
    }

    @Test
    void a_flipped_bit_in_the_signed_part_breaks_the_signature() {
        final TestCa.Crl crl = EC.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(12345)};
        final byte[] der = crl.der();
        der[der.length / 3] ^= 0x01;

        assertThatThrownBy(() -> verify(der)).isInstanceOfAny(CrlVerificationException.class, CrlFormatException.class);
    }

    @Test
    void newer_and_older_are_decided_by_crl_number() throws Exception {
        final TestCa.Crl one = EC.crl();
        final TestCa.Crl two = EC.crl();
        two.number = BigInteger.TWO;
        two.thisUpdate = one.thisUpdate.minusSeconds(5);

        assertThat(verify(two.der()).isNewerThan(verify(one.der()))).isTrue();
        assertThat(verify(one.der()).isOlderThan(verify(two.der()))).isTrue();
    }

    @Test
    void huge_crl_loads_into_a_compact_index() throws Exception {
        final TestCa.Crl crl = EC.crl();
        final Random random = new Random(7);
        crl.revoked = new BigInteger[300_000];
        for (int i = 0; i < crl.revoked.length; i++) {
            crl.revoked[i] = new BigInteger(127, random).add(BigInteger.ONE);
        }
        final byte[] der = crl.der();

        final VerifiedCrl verified = verify(der);

        assertThat(verified.revoked().size()).isEqualTo(300_000);
        assertThat(verified.revoked().contains(crl.revoked[123_456].toByteArray()))
                .isTrue();
        assertThat(verified.revoked().contains(BigInteger.valueOf(-1).toByteArray()))
                .isFalse();
        assertThat(verified.revoked().retainedBytes() / 300_000.0)
                .as("bytes per entry")
                .isLessThan(40);
    }
}
