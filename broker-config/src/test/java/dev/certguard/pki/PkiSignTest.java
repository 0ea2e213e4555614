package dev.certguard.pki;

import static dev.certguard.pki.PkiCliHarness.exec;
import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.stream.Stream;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.nist.NISTObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSASSAPSSparams;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code pki sign}: CSRs made by OpenSSL as the seed's devices make them, and hostile ones. */
class PkiSignTest {

    @TempDir
    Path dir;

    private PkiCliHarness pki;

    @BeforeEach
    void init() {
        pki = new PkiCliHarness(dir.resolve("pki"));
        assertThat(pki.run("init", "--intermediate", "IOTmidCA")).as(pki.err()).isZero();
    }

    /** The seed's two device commands, word for word, with the key size and subject as parameters. */
    private Path seedCsr(final int bits, final String subject) throws Exception {
        assertThat(exec(dir, "openssl", "genrsa", "-out", "client.key", String.valueOf(bits)))
                .endsWith("exit=0");
        assertThat(exec(
                        dir,
                        "openssl",
                        "req",
                        "-new",
                        "-sha256",
                        "-out",
                        "client.csr",
                        "-key",
                        "client.key",
                        "-addext",
                        "subjectAltName = DNS:myhost",
                        "-addext",
                        "keyUsage = Digital Signature, Non Repudiation, Key Encipherment",
                        "-addext",
                        "basicConstraints = CA:FALSE",
                        "-subj",
                        subject))
                .endsWith("exit=0");
        return dir.resolve("client.csr");
    }

    private static Path bcCsr(final Path file, final String subject) throws Exception {
        final KeyPair keys = KeyType.P256.generate();
        final byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
                .getEncoded();
        Files.write(file, der);
        return file;
    }

    @Test
    void seed_csr_is_signed_by_the_issuing_ca_with_client_auth_ca_false_and_only_its_san() throws Exception {
        final Path csr = seedCsr(2048, "/CN=admin:a1998e");

        assertThat(pki.run("sign", csr.toString())).as(pki.err()).isZero();

        final Path certificate = dir.resolve("client.crt");
        assertThat(pki.out())
                .contains(certificate.toString())
                .contains("identity    admin:a1998e (device)")
                .contains("kept        the requested subjectAltName DNS:myhost")
                .contains("ignored     the requested keyUsage, basicConstraints");
        assertThat(exec(
                        dir,
                        "openssl",
                        "verify",
                        "-purpose",
                        "sslclient",
                        "-CAfile",
                        pki.file("root.crt"),
                        "-untrusted",
                        pki.file("ca.crt"),
                        certificate.toString()))
                .contains("OK")
                .endsWith("exit=0");
        final String text = exec(dir, "openssl", "x509", "-in", certificate.toString(), "-noout", "-text");
        assertThat(text)
                .contains("Issuer: CN = IOTmidCA")
                .contains("Subject: CN = admin:a1998e")
                .contains("CA:FALSE")
                .contains("TLS Web Client Authentication")
                .contains("DNS:myhost")
                .contains("Digital Signature, Key Encipherment")
                .doesNotContain("Non Repudiation");
        assertThat(exec(dir, "openssl", "x509", "-in", certificate.toString(), "-noout", "-modulus"))
                .as("the certificate carries the device's own key")
                .isEqualTo(exec(dir, "openssl", "rsa", "-in", "client.key", "-noout", "-modulus"));
    }

    @Test
    void csr_asking_for_ca_true_gets_ca_false_and_keeps_only_the_cn() throws Exception {
        assertThat(exec(dir, "openssl", "genrsa", "-out", "rogue.key", "2048")).endsWith("exit=0");
        assertThat(exec(
                        dir,
                        "openssl",
                        "req",
                        "-new",
                        "-key",
                        "rogue.key",
                        "-out",
                        "rogue.csr",
                        "-subj",
                        "/O=Rogue/CN=admin:rogue",
                        "-addext",
                        "basicConstraints = critical, CA:TRUE",
                        "-addext",
                        "keyUsage = critical, keyCertSign, cRLSign"))
                .endsWith("exit=0");

        assertThat(pki.run("sign", dir.resolve("rogue.csr").toString()))
                .as(pki.err())
                .isZero();

        final X509Certificate certificate = PemFiles.readCertificate(dir.resolve("rogue.crt"));
        assertThat(certificate.getBasicConstraints()).as("not a CA").isEqualTo(-1);
        assertThat(certificate.getKeyUsage()[5]).as("keyCertSign").isFalse();
        assertThat(certificate.getSubjectX500Principal().getName()).isEqualTo("CN=admin:rogue");
        assertThat(certificate.getSubjectAlternativeNames()).isNull();
    }

    @Test
    void rsa_key_below_2048_bits_is_refused_exit_1_and_no_certificate() throws Exception {
        final Path csr = seedCsr(1024, "/CN=admin:weak");

        assertThat(pki.run("sign", csr.toString())).isEqualTo(1);

        assertThat(pki.err()).contains("RSA key has 1024 bits; at least 2048 are required");
        assertThat(dir.resolve("client.crt")).doesNotExist();
        assertThat(Path.of(pki.file("issued"))).as("nothing was issued").doesNotExist();
    }

    @Test
    void tampered_csr_is_refused_exit_1() throws Exception {
        seedCsr(2048, "/CN=admin:a1998e");
        assertThat(exec(dir, "openssl", "req", "-in", "client.csr", "-outform", "DER", "-out", "client.der"))
                .endsWith("exit=0");
        final byte[] der = Files.readAllBytes(dir.resolve("client.der"));
        der[der.length - 5] ^= 0x01;
        Files.write(dir.resolve("tampered.csr"), der);

        assertThat(pki.run("sign", dir.resolve("tampered.csr").toString())).isEqualTo(1);

        assertThat(pki.err()).contains("signature does not verify");
        assertThat(dir.resolve("tampered.crt")).doesNotExist();
    }

    static Stream<Arguments> refusedSubjects() {
        return Stream.of(
                Arguments.of("CN=admin:a/b", "contains '/'"),
                Arguments.of("CN=admin:a:b", "more than one ':'"),
                Arguments.of("CN=admin", "not a device identity"),
                Arguments.of("O=dojot", "has no CN"),
                Arguments.of("CN=admin:a1998e,CN=v2k-bridge", "2 CNs"),
                Arguments.of("CN=admin:a1998e+CN=v2k-bridge", "2 CNs"),
                Arguments.of("CN=admin:a\u202Eb", "not a device identity"));
    }

    @ParameterizedTest
    @MethodSource("refusedSubjects")
    void csr_whose_cn_the_broker_would_refuse_is_refused_with_the_reason(final String subject, final String reason)
            throws Exception {
        final Path csr = bcCsr(dir.resolve("odd.csr"), subject);

        assertThat(pki.run("sign", csr.toString())).isEqualTo(1);

        assertThat(pki.err()).contains(reason).doesNotContain("\u202E");
        assertThat(dir.resolve("odd.crt")).doesNotExist();
    }

    @Test
    void service_flag_signs_a_plain_name_and_refuses_a_device_identity() throws Exception {
        final Path bridge = bcCsr(dir.resolve("bridge.csr"), "CN=v2k-bridge");
        final Path device = bcCsr(dir.resolve("device.csr"), "CN=admin:a1998e");

        assertThat(pki.run("sign", bridge.toString()))
                .as("a plain name is no device")
                .isEqualTo(1);
        assertThat(pki.run("sign", bridge.toString(), "--service"))
                .as(pki.err())
                .isZero();
        assertThat(pki.run("sign", device.toString(), "--service")).isEqualTo(1);
        assertThat(pki.err()).contains("is not a service name");
    }

    @Test
    void other_key_types_are_signed_and_curves_the_broker_cannot_verify_are_refused() throws Exception {
        for (final String[] key : new String[][] {
            {"ed.key", "ED25519"}, {"p384.key", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"}, {"pss.key", "RSA-PSS"}
        }) {
            final String[] genpkey = Stream.concat(
                            Stream.of("openssl", "genpkey", "-algorithm", key[1], "-out", key[0]),
                            Stream.of(key).skip(2))
                    .toArray(String[]::new);
            assertThat(exec(dir, genpkey)).endsWith("exit=0");
            final String csr = key[0].replace(".key", ".csr");
            assertThat(exec(dir, "openssl", "req", "-new", "-key", key[0], "-out", csr, "-subj", "/CN=admin:" + key[1]))
                    .endsWith("exit=0");
            assertThat(pki.run("sign", dir.resolve(csr).toString()))
                    .as(key[1] + ": " + pki.err())
                    .isZero();
            assertThat(exec(
                            dir,
                            "openssl",
                            "verify",
                            "-CAfile",
                            pki.file("root.crt"),
                            "-untrusted",
                            pki.file("ca.crt"),
                            dir.resolve(csr.replace(".csr", ".crt")).toString()))
                    .endsWith("exit=0");
        }
        assertThat(exec(
                        dir,
                        "openssl",
                        "genpkey",
                        "-algorithm",
                        "EC",
                        "-pkeyopt",
                        "ec_paramgen_curve:brainpoolP256r1",
                        "-out",
                        "bp.key"))
                .endsWith("exit=0");
        assertThat(exec(dir, "openssl", "req", "-new", "-key", "bp.key", "-out", "bp.csr", "-subj", "/CN=admin:bp"))
                .endsWith("exit=0");
        assertThat(pki.run("sign", dir.resolve("bp.csr").toString())).isEqualTo(1);
        assertThat(pki.err()).contains("not on P-256, P-384 or P-521");
    }

    @Test
    void signed_certificate_is_revoked_by_file_or_by_serial() throws Exception {
        final Path csr = seedCsr(2048, "/CN=admin:a1998e");
        pki.run("sign", csr.toString());
        final X509Certificate first = PemFiles.readCertificate(dir.resolve("client.crt"));
        pki.run("sign", csr.toString(), "--out", dir.resolve("second.crt").toString());
        final X509Certificate second = PemFiles.readCertificate(dir.resolve("second.crt"));

        assertThat(pki.run("revoke", dir.resolve("client.crt").toString()))
                .as(pki.err())
                .isZero();
        assertThat(pki.run("revoke", "--serial", second.getSerialNumber().toString(16)))
                .as(pki.err())
                .isZero();
        assertThat(pki.run("revoke", "--serial", "abcdef")).isEqualTo(1);
        assertThat(pki.err()).contains("no certificate with serial abcdef");

        final X509CRL crl = DevPkiTestSupport.crl(Path.of(pki.file("crl.der")));
        assertThat(crl.isRevoked(first)).isTrue();
        assertThat(crl.isRevoked(second)).isTrue();
        assertThat(crl.getRevokedCertificates()).hasSize(2);
    }

    @Test
    void a_self_signed_root_cannot_be_revoked_and_out_may_not_point_into_the_pki() throws Exception {
        assertThat(pki.run("revoke", pki.file("root.crt"))).isEqualTo(1);
        assertThat(pki.err()).contains("self-signed root");
        final Path csr = seedCsr(2048, "/CN=admin:a1998e");

        assertThat(pki.run("sign", csr.toString(), "--out", pki.file("ca.crt"), "--force"))
                .isEqualTo(1);
        assertThat(pki.err()).contains("inside the PKI directory");
        assertThat(pki.run("sign", csr.toString(), "--days", "99999999999")).isEqualTo(2);
        assertThat(pki.err()).contains("--days must be <=");
    }

    @Test
    void a_pss_request_claiming_a_salt_of_two_gigabytes_is_refused_without_allocating_it() throws Exception {
        final KeyPair keys = KeyType.RSA2048.generate();
        final AlgorithmIdentifier sha256 = new AlgorithmIdentifier(NISTObjectIdentifiers.id_sha256, DERNull.INSTANCE);
        final AlgorithmIdentifier hostile = new AlgorithmIdentifier(
                PKCSObjectIdentifiers.id_RSASSA_PSS,
                new RSASSAPSSparams(
                        sha256,
                        new AlgorithmIdentifier(PKCSObjectIdentifiers.id_mgf1, sha256),
                        new ASN1Integer(2_000_000_000L),
                        new ASN1Integer(1)));
        final ContentSigner liar = new ContentSigner() {
            private final java.io.ByteArrayOutputStream signed = new java.io.ByteArrayOutputStream();

            @Override
            public AlgorithmIdentifier getAlgorithmIdentifier() {
                return hostile;
            }

            @Override
            public java.io.OutputStream getOutputStream() {
                return signed;
            }

            @Override
            public byte[] getSignature() {
                return new byte[256];
            }
        };
        Files.write(
                dir.resolve("salty.csr"),
                new JcaPKCS10CertificationRequestBuilder(new X500Name("CN=admin:salty"), keys.getPublic())
                        .build(liar)
                        .getEncoded());

        assertThat(pki.run("sign", dir.resolve("salty.csr").toString())).isEqualTo(1);

        assertThat(pki.err()).contains("salt length does not fit");
        assertThat(dir.resolve("salty.crt")).doesNotExist();
    }

    @Test
    void existing_output_is_kept_and_garbage_is_refused() throws Exception {
        final Path csr = seedCsr(2048, "/CN=admin:a1998e");
        Files.writeString(dir.resolve("client.crt"), "keep me");

        assertThat(pki.run("sign", csr.toString())).isEqualTo(1);
        assertThat(pki.err()).contains("exists already");
        assertThat(Files.readString(dir.resolve("client.crt"))).isEqualTo("keep me");
        assertThat(pki.run("sign", pki.file("root.crt"))).isEqualTo(1);
        assertThat(pki.err()).contains("no PEM 'CERTIFICATE REQUEST' block");
        Files.write(dir.resolve("noise.csr"), new BigInteger(4000, new java.util.Random(7)).toByteArray());
        assertThat(pki.run("sign", dir.resolve("noise.csr").toString())).isEqualTo(1);
        assertThat(pki.err()).contains("not a certificate signing request");
        assertThat(pki.run("sign", dir.resolve("missing.csr").toString())).isEqualTo(1);
    }
}
