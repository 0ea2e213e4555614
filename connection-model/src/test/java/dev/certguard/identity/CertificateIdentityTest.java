package dev.certguard.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import javax.security.auth.x500.X500Principal;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CertificateIdentityTest {

    private static KeyPair keys;

    @BeforeAll
    static void keys() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        keys = generator.generateKeyPair();
    }

    private static X509Certificate certificate(final String subject) throws Exception {
        return certificate(subject, BigInteger.ONE);
    }

    private static X509Certificate certificate(final String subject, final BigInteger serial) throws Exception {
        final Instant now = Instant.now();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                new X500Name("CN=test CA, O=Example\\, Inc."),
                serial,
                Date.from(now),
                Date.from(now.plusSeconds(60)),
                new X500Name(subject),
                keys.getPublic());
        return new JcaX509CertificateConverter()
                .getCertificate(builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    @Test
    void single_common_name_is_returned_unescaped() throws Exception {
        assertThat(CertificateIdentity.commonName(certificate("O=dojot,CN=admin:a1998e")))
                .isEqualTo("admin:a1998e");
        assertThat(CertificateIdentity.commonName(certificate("CN=a\\,b:c"))).isEqualTo("a,b:c");
    }

    @Test
    void subject_without_common_name_is_rejected() {
        assertThatThrownBy(() -> CertificateIdentity.commonName(certificate("O=dojot")))
                .isInstanceOf(InvalidIdentityException.class)
                .hasMessage("certificate subject has no CN");
    }

    @Test
    void subject_with_two_common_names_is_rejected() {
        assertThatThrownBy(() -> CertificateIdentity.commonName(certificate("CN=admin:a1998e,CN=v2k-bridge")))
                .isInstanceOf(InvalidIdentityException.class)
                .hasMessageContaining("2 CNs");
    }

    @Test
    void multi_valued_rdn_hiding_a_second_common_name_is_rejected() {
        assertThatThrownBy(() -> CertificateIdentity.commonName(certificate("CN=admin:a1998e+CN=v2k-bridge")))
                .isInstanceOf(InvalidIdentityException.class)
                .hasMessageContaining("2 CNs");
    }

    @Test
    void subject_of_a_signing_request_follows_the_same_rules_as_a_certificate() throws Exception {
        assertThat(CertificateIdentity.commonName(new X500Principal("O=dojot, CN=admin:a1998e")))
                .isEqualTo("admin:a1998e");
        assertThatThrownBy(() -> CertificateIdentity.commonName(new X500Principal("CN=admin:a1998e+CN=v2k-bridge")))
                .isInstanceOf(InvalidIdentityException.class)
                .hasMessageContaining("2 CNs");
        assertThatThrownBy(() -> CertificateIdentity.commonName(new X500Principal("O=dojot")))
                .isInstanceOf(InvalidIdentityException.class)
                .hasMessage("certificate subject has no CN");
    }

    @Test
    void fingerprint_is_sha256_of_the_der_encoding() throws Exception {
        final X509Certificate certificate = certificate("CN=admin:a1998e");
        final String expected =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded()));

        assertThat(CertificateIdentity.sha256Fingerprint(certificate)).isEqualTo(expected);
        assertThat(CertificateIdentity.normaliseFingerprint(
                        expected.toUpperCase().replaceAll("(..)(?!$)", "$1:")))
                .isEqualTo(expected);
    }

    @Test
    void every_certificate_gets_its_own_facts_however_many_are_seen_in_turn() throws Exception {
        // More certificates than the table of recently seen ones has slots, each asked twice, in turn.
        final List<X509Certificate> certificates = new ArrayList<>();
        for (int i = 0; i < 600; i++) {
            certificates.add(certificate("CN=t:d" + i, BigInteger.valueOf(i + 1)));
        }
        for (int round = 0; round < 2; round++) {
            for (final X509Certificate certificate : certificates) {
                final byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
                assertThat(CertificateIdentity.sha256(certificate)).isEqualTo(digest);
                assertThat(CertificateIdentity.sha256Fingerprint(certificate))
                        .isEqualTo(HexFormat.of().formatHex(digest));
                assertThat(CertificateIdentity.serialHex(certificate))
                        .isEqualTo(certificate.getSerialNumber().toString(16));
                assertThat(CertificateIdentity.issuerName(certificate))
                        .isEqualTo(certificate.getIssuerX500Principal().getName());
            }
        }
    }

    @Test
    void a_caller_changing_the_digest_it_got_changes_nobody_elses() throws Exception {
        final X509Certificate certificate = certificate("CN=admin:a1998e");
        final byte[] first = CertificateIdentity.sha256(certificate);
        final byte[] kept = first.clone();
        first[0] ^= 0x01;

        assertThat(CertificateIdentity.sha256(certificate)).isEqualTo(kept);
    }

    @Test
    void serial_numbers_are_written_as_big_integer_writes_them_in_hex() throws Exception {
        final List<BigInteger> serials = new ArrayList<>(List.of(
                BigInteger.ZERO,
                BigInteger.ONE,
                BigInteger.valueOf(0x0f),
                BigInteger.valueOf(0x80),
                BigInteger.valueOf(0x0100),
                new BigInteger("7fffffffffffffffffffffffffffffffffffffff", 16),
                new BigInteger("8000000000000000000000000000000000000001", 16),
                BigInteger.valueOf(-1),
                BigInteger.valueOf(-0x1234)));
        final Random random = new Random(20261207);
        for (int i = 0; i < 2000; i++) {
            serials.add(new BigInteger(1 + random.nextInt(160), random));
        }
        for (final BigInteger serial : serials) {
            assertThat(CertificateIdentity.hex(serial)).isEqualTo(serial.toString(16));
        }
        assertThat(CertificateIdentity.serialHex(certificate("CN=a:b", new BigInteger("00ff00", 16))))
                .isEqualTo("ff00");
    }

    @Test
    void malformed_fingerprint_pin_is_refused() {
        assertThatThrownBy(() -> CertificateIdentity.normaliseFingerprint("abc"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
