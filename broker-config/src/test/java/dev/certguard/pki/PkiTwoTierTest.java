package dev.certguard.pki;

import static dev.certguard.pki.PkiCliHarness.exec;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.util.Collections;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiTwoTierTest {

    @TempDir
    Path dir;

    private PkiCliHarness pki;

    @BeforeEach
    void init() {
        pki = new PkiCliHarness(dir.resolve("pki"));
        assertThat(pki.run("init", "--ca-name", "IOT root", "--intermediate", "IOTmidCA", "--key-type", "rsa2048"))
                .as(pki.err())
                .isZero();
        assertThat(pki.out()).contains("root.crt").contains("IOT").contains("issuing CA");
    }

    @Test
    void root_signs_the_issuing_ca_which_issues_devices_and_the_broker() throws Exception {
        assertThat(pki.run("issue", "admin:a1998e")).as(pki.err()).isZero();

        final X509Certificate root = PemFiles.readCertificate(Path.of(pki.file("root.crt")));
        final X509Certificate issuing = PemFiles.readCertificate(Path.of(pki.file("ca.crt")));
        assertThat(root.getSubjectX500Principal().getName()).isEqualTo("CN=IOT root");
        assertThat(issuing.getSubjectX500Principal().getName()).isEqualTo("CN=IOTmidCA");
        assertThat(issuing.getIssuerX500Principal()).isEqualTo(root.getSubjectX500Principal());
        for (final String leaf : new String[] {pki.file("devices/admin/a1998e.crt"), pki.file("broker.crt")}) {
            assertThat(exec(
                            dir,
                            "openssl",
                            "verify",
                            "-CAfile",
                            pki.file("root.crt"),
                            "-untrusted",
                            pki.file("ca.crt"),
                            leaf))
                    .contains("OK")
                    .endsWith("exit=0");
            assertThat(exec(dir, "openssl", "verify", "-CAfile", pki.file("root.crt"), leaf))
                    .as("the issuing CA is needed on the way to the root")
                    .doesNotEndWith("exit=0");
        }
        assertThat(PemFiles.readCertificates(Path.of(pki.file("broker.crt"))))
                .as("the broker sends its whole chain, so clients need only the root")
                .containsExactly(PemFiles.readCertificate(Path.of(pki.file("broker.crt"))), issuing, root);
        assertThat(PemFiles.readCertificates(Path.of(pki.file("ca-bundle.crt"))))
                .containsExactly(issuing, root);
        final KeyStore truststore = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(Path.of(pki.file("truststore.p12")))) {
            truststore.load(in, DevPki.KEYSTORE_PASSWORD.toCharArray());
        }
        assertThat(Collections.list(truststore.aliases()).stream().map(alias -> {
                    try {
                        return truststore.getCertificate(alias);
                    } catch (final Exception e) {
                        throw new IllegalStateException(e);
                    }
                }))
                .as("devices send only their own certificate: the broker trusts the issuing CA beside the root")
                .containsExactlyInAnyOrder(issuing, root);
    }

    @Test
    void each_ca_has_its_own_crl_and_revoking_the_issuing_ca_goes_on_the_roots() throws Exception {
        pki.run("issue", "admin:a1998e");
        for (final String[] crl : new String[][] {{"crl.pem", "ca.crt"}, {"root-crl.pem", "root.crt"}}) {
            assertThat(exec(dir, "openssl", "crl", "-in", pki.file(crl[0]), "-CAfile", pki.file(crl[1]), "-noout"))
                    .contains("verify OK");
        }

        assertThat(pki.run("revoke", pki.file("ca.crt"), "--reason", "keyCompromise"))
                .as(pki.err())
                .isZero();

        final X509CRL rootCrl = DevPkiTestSupport.crl(Path.of(pki.file("root-crl.der")));
        final X509CRL issuingCrl = DevPkiTestSupport.crl(Path.of(pki.file("crl.der")));
        assertThat(rootCrl.isRevoked(PemFiles.readCertificate(Path.of(pki.file("ca.crt")))))
                .isTrue();
        assertThat(issuingCrl.getRevokedCertificates()).isNull();
        assertThat(exec(
                        dir,
                        "openssl",
                        "verify",
                        "-crl_check_all",
                        "-CAfile",
                        pki.file("root.crt"),
                        "-untrusted",
                        pki.file("ca.crt"),
                        "-CRLfile",
                        pki.file("crl.pem"),
                        "-CRLfile",
                        pki.file("root-crl.pem"),
                        pki.file("devices/admin/a1998e.crt")))
                .contains("certificate revoked");
    }

    @Test
    void crl_command_resigns_both_crls() throws Exception {
        final long root = DevPkiTestSupport.number(DevPkiTestSupport.crl(Path.of(pki.file("root-crl.der"))));
        final long issuing = DevPkiTestSupport.number(DevPkiTestSupport.crl(Path.of(pki.file("crl.der"))));

        assertThat(pki.run("crl")).as(pki.err()).isZero();

        assertThat(DevPkiTestSupport.number(DevPkiTestSupport.crl(Path.of(pki.file("root-crl.der")))))
                .isEqualTo(root + 1);
        assertThat(DevPkiTestSupport.number(DevPkiTestSupport.crl(Path.of(pki.file("crl.der")))))
                .isEqualTo(issuing + 1);
        assertThat(pki.out()).contains("root-crl.pem").contains("crl.pem");
    }

    @Test
    void one_name_for_root_and_issuing_ca_is_refused() {
        final PkiCliHarness other = new PkiCliHarness(dir.resolve("other"));

        assertThat(other.run("init", "--ca-name", "IOTmidCA", "--intermediate", "IOTmidCA"))
                .isEqualTo(1);
        assertThat(other.err()).contains("different names");
    }

    @Test
    void reinit_without_force_keeps_the_two_tier_pki() throws Exception {
        final String root = Files.readString(Path.of(pki.file("root.crt")));

        assertThat(pki.run("init")).isEqualTo(1);
        assertThat(Files.readString(Path.of(pki.file("root.crt")))).isEqualTo(root);
        assertThat(pki.run("init", "--force")).isZero();
        assertThat(Files.exists(Path.of(pki.file("root.crt"))))
                .as("a forced one-tier init leaves no stale root behind")
                .isFalse();
    }
}
