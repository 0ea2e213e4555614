package dev.certguard.pki;

import static dev.certguard.pki.PkiCliHarness.exec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PkiKeyTypeTest {

    @TempDir
    Path dir;

    /** What {@code openssl x509 -text} prints for a key of each type. */
    private static String opensslKeyLine(final KeyType type) {
        return switch (type) {
            case RSA2048, RSA3072, RSA4096 -> "Public-Key: (" + type.bits() + " bit)";
            case RSAPSS -> "rsassaPss";
            case P256 -> "NIST CURVE: P-256";
            case P384 -> "NIST CURVE: P-384";
            case P521 -> "NIST CURVE: P-521";
            case ED25519 -> "ED25519";
        };
    }

    @ParameterizedTest
    @EnumSource(KeyType.class)
    void each_key_type_makes_a_ca_broker_and_device_that_openssl_and_java_accept(final KeyType type) throws Exception {
        final PkiCliHarness pki = new PkiCliHarness(dir.resolve("pki"));
        assertThat(pki.run("init", "--key-type", type.cliName())).as(pki.err()).isZero();
        assertThat(pki.out()).contains(type.cliName());
        assertThat(pki.run("issue", "admin:a1998e", "--key-type", type.cliName()))
                .as(pki.err())
                .isZero();

        final String device = pki.file("devices/admin/a1998e.crt");
        for (final String certificate : new String[] {pki.file("broker.crt"), device}) {
            assertThat(exec(dir, "openssl", "verify", "-CAfile", pki.file("ca.crt"), certificate))
                    .contains("OK")
                    .endsWith("exit=0");
            assertThat(exec(dir, "openssl", "x509", "-in", certificate, "-noout", "-text"))
                    .contains(opensslKeyLine(type));
        }
        assertThat(exec(dir, "openssl", "x509", "-in", pki.file("ca.crt"), "-noout", "-text"))
                .contains(opensslKeyLine(type));
        assertThat(exec(dir, "openssl", "crl", "-in", pki.file("crl.pem"), "-CAfile", pki.file("ca.crt"), "-noout"))
                .contains("verify OK");
        assertThat(exec(dir, "openssl", "pkey", "-in", pki.file("devices/admin/a1998e.key"), "-noout"))
                .endsWith("exit=0");
        final KeyStore keystore = KeyStore.getInstance("JKS");
        try (var in = Files.newInputStream(pki.pki.resolve("broker-keystore.p12"))) {
            keystore.load(in, DevPki.KEYSTORE_PASSWORD.toCharArray());
        }
        assertThat(keystore.getKey("broker", DevPki.KEYSTORE_PASSWORD.toCharArray()))
                .as("HiveMQ reads the %s broker key back from its keystore", type)
                .isNotNull();
    }

    @Test
    void rsa_device_certificate_may_encipher_and_others_only_sign() throws Exception {
        final PkiCliHarness pki = new PkiCliHarness(dir.resolve("pki"));
        pki.run("init");
        pki.run("issue", "admin:rsa", "--key-type", "rsa2048");
        pki.run("issue", "admin:ed", "--key-type", "ed25519");

        final X509Certificate rsa = PemFiles.readCertificate(Path.of(pki.file("devices/admin/rsa.crt")));
        final X509Certificate ed = PemFiles.readCertificate(Path.of(pki.file("devices/admin/ed.crt")));
        assertThat(rsa.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(rsa.getKeyUsage()[2]).as("keyEncipherment").isTrue();
        assertThat(ed.getKeyUsage()[0]).as("digitalSignature").isTrue();
        assertThat(ed.getKeyUsage()[2])
                .as("keyEncipherment, forbidden for Ed25519 by RFC 8410")
                .isFalse();
        assertThat(rsa.getSigAlgName()).as("signed by the P-256 CA").isEqualTo("SHA256withECDSA");
    }

    @Test
    void unknown_key_type_is_a_usage_error_naming_the_accepted_ones() {
        final PkiCliHarness pki = new PkiCliHarness(dir.resolve("pki"));

        assertThat(pki.run("init", "--key-type", "dsa1024")).isEqualTo(2);
        assertThat(pki.err()).contains("unknown key type 'dsa1024'").contains("rsa2048|rsa3072|rsa4096");
        assertThat(Files.exists(dir.resolve("pki/ca.crt"))).isFalse();
    }

    @Test
    void crl_url_puts_a_distribution_point_into_the_certificate() throws Exception {
        final PkiCliHarness pki = new PkiCliHarness(dir.resolve("pki"));
        pki.run("init");

        assertThat(pki.run("issue", "admin:a1998e", "--crl-url", "http://pki.example.com/iot/crl.der"))
                .as(pki.err())
                .isZero();
        assertThat(exec(dir, "openssl", "x509", "-in", pki.file("devices/admin/a1998e.crt"), "-noout", "-text"))
                .contains("X509v3 CRL Distribution Points")
                .contains("URI:http://pki.example.com/iot/crl.der");
        assertThat(pki.run("issue", "admin:other", "--crl-url", "ftp://pki.example.com/crl"))
                .isEqualTo(2);
        assertThat(pki.err()).contains("--crl-url must be an http or https URL");
    }
}
