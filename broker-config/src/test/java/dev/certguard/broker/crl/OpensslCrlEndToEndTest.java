package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CRL made by {@code openssl ca -gencrl}, as many PKIs make theirs, is read and enforced.
 */
class OpensslCrlEndToEndTest {

    @TempDir
    Path dir;

    /** openssl's index.txt wants whole bytes: an even number of upper-case hex digits. */
    private static String evenHex(final java.math.BigInteger serial) {
        final String hex = serial.toString(16).toUpperCase();
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }

    @Test
    void crl_generated_by_openssl_ca_is_enforced() throws Exception {
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Credentials revoked = pki.client("admin:opensslrevoked");
        final Credentials good = pki.client("admin:opensslgood");
        final Path ca = dir.resolve("openssl-ca");
        Files.createDirectories(ca);
        final DateTimeFormatter time =
                DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'").withZone(ZoneOffset.UTC);
        Files.writeString(
                ca.resolve("index.txt"),
                "R\t" + time.format(revoked.certificate().getNotAfter().toInstant()) + "\t"
                        + time.format(java.time.Instant.now().minusSeconds(60)) + "\t"
                        + evenHex(revoked.certificate().getSerialNumber()) + "\tunknown\t/CN=admin:opensslrevoked\n");
        Files.writeString(ca.resolve("crlnumber"), "1000\n");
        Files.writeString(
                ca.resolve("ca.cnf"),
                """
                [ ca ]
                default_ca = certguard
                [ certguard ]
                database = %s
                crlnumber = %s
                default_md = sha256
                default_crl_days = 1
                """
                        .formatted(ca.resolve("index.txt"), ca.resolve("crlnumber")));
        final Path crl = ca.resolve("crl.pem");
        final Mosquitto.Result made = Mosquitto.run(
                List.of(
                        "openssl",
                        "ca",
                        "-gencrl",
                        "-config",
                        ca.resolve("ca.cnf").toString(),
                        "-keyfile",
                        pki.devPki().caKey().toString(),
                        "-cert",
                        pki.devPki().caCertificate().toString(),
                        "-out",
                        crl.toString()),
                Duration.ofSeconds(30));
        assertThat(made.exitCode()).as(made.output()).isZero();

        try (TestBroker broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>%s</crl-source></crl-sources>
                </crl-extension>"""
                                .formatted(pki.devPki().caCertificate(), crl))
                .start()) {

            final Mqtt5ConnAckException refused =
                    catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(revoked, "r")
                            .connect());
            broker.mqtt5(good, "g").connect();

            assertThat(refused.getMqttMessage().getReasonString())
                    .get()
                    .asString()
                    .isEqualTo("certificate revoked");
        }
    }
}
