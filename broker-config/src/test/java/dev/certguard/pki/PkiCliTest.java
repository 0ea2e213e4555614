package dev.certguard.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PkiCliTest {

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PkiCli cli;

    @BeforeEach
    void cli() {
        cli = new PkiCli(
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    private int run(final String... args) {
        final List<String> all = new java.util.ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", dir.resolve("pki").toString()));
        return cli.run(all);
    }

    private static String openssl(final String... args) throws Exception {
        final Process process =
                new ProcessBuilder(List.of(args)).redirectErrorStream(true).start();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + "exit="
                + process.exitValue();
    }

    @Test
    void init_creates_ca_crl_and_broker_stores_that_openssl_and_java_accept() throws Exception {
        assertThat(run("init")).as(err.toString()).isZero();
        final Path pki = dir.resolve("pki");

        assertThat(openssl(
                        "openssl",
                        "verify",
                        "-CAfile",
                        pki.resolve("ca.crt").toString(),
                        pki.resolve("broker.crt").toString()))
                .contains("OK")
                .endsWith("exit=0");
        assertThat(openssl(
                        "openssl",
                        "crl",
                        "-in",
                        pki.resolve("crl.pem").toString(),
                        "-CAfile",
                        pki.resolve("ca.crt").toString(),
                        "-noout"))
                .contains("verify OK");
        final KeyStore keystore = KeyStore.getInstance("JKS");
        keystore.load(Files.newInputStream(pki.resolve("broker-keystore.p12")), DevPki.KEYSTORE_PASSWORD.toCharArray());
        assertThat(keystore.isKeyEntry("broker"))
                .as("HiveMQ reads the keystore as JKS")
                .isTrue();
        assertThat(Files.getPosixFilePermissions(pki.resolve("ca.key")))
                .isEqualTo(PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void issued_device_certificate_verifies_and_carries_the_identity_as_its_only_cn() throws Exception {
        run("init");
        assertThat(run("issue", "admin:a1998e", "--seconds", "120"))
                .as(err.toString())
                .isZero();
        final Path cert = dir.resolve("pki/devices/admin/a1998e.crt");

        assertThat(openssl(
                        "openssl",
                        "verify",
                        "-purpose",
                        "sslclient",
                        "-CAfile",
                        dir.resolve("pki/ca.crt").toString(),
                        cert.toString()))
                .endsWith("exit=0");
        assertThat(openssl("openssl", "x509", "-in", cert.toString(), "-noout", "-subject"))
                .contains("CN = admin:a1998e");
        final X509Certificate x509 = PemFiles.readCertificate(cert);
        assertThat(x509.getNotAfter().toInstant())
                .isBetween(Instant.now().plusSeconds(100), Instant.now().plusSeconds(130));
        assertThat(openssl(
                        "openssl",
                        "pkey",
                        "-in",
                        dir.resolve("pki/devices/admin/a1998e.key").toString(),
                        "-noout"))
                .endsWith("exit=0");
    }

    @Test
    void invalid_identity_is_refused_with_the_reason() {
        run("init");

        assertThat(run("issue", "admin:a/b")).isEqualTo(1);
        assertThat(err.toString())
                .contains("invalid device identity 'admin:a/b'")
                .contains("'/'");
        assertThat(run("service", "v2k:bridge")).isEqualTo(1);
        assertThat(run("issue", "..:x")).isEqualTo(1);
    }

    @Test
    void existing_files_are_never_silently_overwritten() throws Exception {
        run("init");
        run("issue", "admin:a1998e");
        final String before = Files.readString(dir.resolve("pki/devices/admin/a1998e.crt"));

        assertThat(run("issue", "admin:a1998e")).isEqualTo(1);
        assertThat(err.toString()).contains("exists already; not overwritten (use --force");
        assertThat(Files.readString(dir.resolve("pki/devices/admin/a1998e.crt")))
                .isEqualTo(before);
        assertThat(run("init")).isEqualTo(1);
        assertThat(run("issue", "admin:a1998e", "--force")).isZero();
        assertThat(Files.readString(dir.resolve("pki/devices/admin/a1998e.crt")))
                .isNotEqualTo(before);
    }

    @Test
    void commands_without_a_ca_say_to_run_init() {
        assertThat(run("issue", "admin:a1998e")).isEqualTo(1);
        assertThat(err.toString()).contains("run 'pki init' first");
    }

    @Test
    void revoke_rewrites_pem_and_der_crls_listing_the_serial() throws Exception {
        run("init");
        run("issue", "admin:a1998e");
        run("service", "v2k-bridge");
        final X509Certificate device = PemFiles.readCertificate(dir.resolve("pki/devices/admin/a1998e.crt"));

        assertThat(run("revoke", dir.resolve("pki/devices/admin/a1998e.crt").toString(), "--reason", "keyCompromise"))
                .as(err.toString())
                .isZero();
        assertThat(run("revoke", dir.resolve("pki/devices/admin/a1998e.crt").toString()))
                .as("revoking twice is harmless")
                .isZero();

        final CertificateFactory factory = CertificateFactory.getInstance("X.509");
        final X509CRL der = (X509CRL) factory.generateCRL(Files.newInputStream(dir.resolve("pki/crl.der")));
        final X509CRL pem = (X509CRL) factory.generateCRL(Files.newInputStream(dir.resolve("pki/crl.pem")));
        assertThat(der.getRevokedCertificates()).hasSize(1);
        assertThat(der.isRevoked(device)).isTrue();
        assertThat(pem.isRevoked(device)).isTrue();
        assertThat(der.isRevoked(PemFiles.readCertificate(dir.resolve("pki/services/v2k-bridge.crt"))))
                .isFalse();
        assertThat(openssl(
                        "openssl",
                        "verify",
                        "-crl_check",
                        "-CAfile",
                        dir.resolve("pki/ca.crt").toString(),
                        "-CRLfile",
                        dir.resolve("pki/crl.pem").toString(),
                        dir.resolve("pki/devices/admin/a1998e.crt").toString()))
                .contains("certificate revoked");
    }

    @Test
    void crl_command_resigns_with_a_new_number_and_validity() throws Exception {
        run("init");
        final X509CRL first = DevPkiTestSupport.crl(dir.resolve("pki/crl.der"));

        assertThat(run("crl", "--next-update-hours", "2")).isZero();

        final X509CRL second = DevPkiTestSupport.crl(dir.resolve("pki/crl.der"));
        assertThat(DevPkiTestSupport.number(second)).isEqualTo(DevPkiTestSupport.number(first) + 1);
        assertThat(Duration.between(
                                second.getThisUpdate().toInstant(),
                                second.getNextUpdate().toInstant())
                        .toMinutes())
                .isBetween(119L, 121L);
    }

    @Test
    void usage_errors_exit_2() {
        assertThat(cli.run(List.of())).isEqualTo(2);
        assertThat(run("bogus")).isEqualTo(2);
        assertThat(run("issue", "admin:x", "--days", "0")).isEqualTo(2);
        assertThat(err.toString()).contains("--days must be > 0");
    }
}
