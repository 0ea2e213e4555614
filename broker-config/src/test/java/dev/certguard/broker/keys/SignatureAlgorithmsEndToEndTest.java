package dev.certguard.broker.keys;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.ocsp.OpensslResponder;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.OpensslCa;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.KeyType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CRLs and OCSP answers signed by an RSA CA with each common signature: PKCS#1 v1.5 with SHA-384
 * and SHA-512, and PSS with SHA-256 and SHA-512, made by OpenSSL ({@code openssl ca -gencrl -md
 * -sigopt}, {@code openssl ocsp -rmd -rsigopt}), are verified and enforced by the packaged broker.
 * (SHA-256 PKCS#1, ECDSA, Ed25519 and RSASSA-PSS keys are covered by {@link KeyTypeEndToEndTest}.)
 */
class SignatureAlgorithmsEndToEndTest {

    /** How OpenSSL is asked to sign: a digest, and PSS padding or not. */
    record Variant(String digest, boolean pss) {

        List<String> crlOptions() {
            final List<String> options = new ArrayList<>(List.of("-md", digest));
            if (pss) {
                options.addAll(List.of("-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:digest"));
            }
            return options;
        }

        List<String> ocspOptions() {
            final List<String> options = new ArrayList<>(List.of("-rmd", digest));
            if (pss) {
                options.addAll(List.of("-rsigopt", "rsa_padding_mode:pss", "-rsigopt", "rsa_pss_saltlen:digest"));
            }
            return options;
        }

        @Override
        public String toString() {
            return (pss ? "PSS " : "PKCS#1 ") + digest;
        }
    }

    static final List<Variant> VARIANTS = List.of(
            new Variant("sha384", false),
            new Variant("sha512", false),
            new Variant("sha256", true),
            new Variant("sha512", true));

    @TempDir
    Path dir;

    private static Mqtt5ConnAckException refusedWithin(
            final TestBroker broker, final Credentials device, final Duration timeout) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        Mqtt5ConnAckException refused;
        int attempt = 0;
        do {
            final var client = broker.mqtt5(device, "probe");
            final Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(client::connect);
            refused = thrown instanceof Mqtt5ConnAckException ? (Mqtt5ConnAckException) thrown : null;
            if (thrown == null) {
                client.disconnect();
            } else if (!(thrown instanceof com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException)
                    && refused == null) {
                throw new AssertionError("unexpected", thrown);
            }
            // A DISCONNECT before the CONNACK is the new CRL's cut landing on a CONNECT the old one let
            // through: the next attempt meets the new CRL.
            if (refused == null) {
                Thread.sleep(300);
            }
            attempt++;
        } while (refused == null && System.nanoTime() < deadline);
        assertThat(refused).as("refused after %d attempts", attempt).isNotNull();
        return refused;
    }

    @Test
    void crls_openssl_signs_with_sha384_sha512_and_pss_are_enforced() throws Exception {
        final TestPki pki = TestPki.create(dir.resolve("pki"), KeyType.RSA2048);
        final OpensslCa ca = OpensslCa.create(
                dir.resolve("openssl-ca"), pki.devPki().caKey(), pki.devPki().caCertificate());
        final List<Credentials> devices = new ArrayList<>();
        for (final Variant variant : VARIANTS) {
            devices.add(pki.client("keys:crl-" + devices.size()));
        }
        final Path crl = gencrl(ca, VARIANTS.get(0), List.of());

        try (TestBroker broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        """
                        <crl-extension>
                            <ca-certificates>%s</ca-certificates>
                            <crl-sources><crl-source>%s</crl-source></crl-sources>
                            <refresh-interval-seconds>1</refresh-interval-seconds>
                        </crl-extension>"""
                                .formatted(pki.devPki().caCertificate(), crl))
                .start()) {
            for (int i = 0; i < VARIANTS.size(); i++) {
                // Each CRL revokes one more device: only a CRL that verified can refuse it.
                gencrl(ca, VARIANTS.get(i), devices.subList(0, i + 1));
                final Mqtt5ConnAckException refused = refusedWithin(broker, devices.get(i), Duration.ofSeconds(10));
                assertThat(refused.getMqttMessage().getReasonCode())
                        .as(VARIANTS.get(i).toString())
                        .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
                assertThat(refused.getMqttMessage().getReasonString())
                        .get()
                        .asString()
                        .isEqualTo("certificate revoked");
            }
            final var bystander = broker.mqtt5(pki.client("keys:crl-bystander"), "bystander");
            assertThat(bystander.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        }
    }

    private static Path gencrl(final OpensslCa ca, final Variant variant, final List<Credentials> revoked)
            throws Exception {
        ca.revoked(revoked.stream().map(Credentials::certificate).toList());
        final Path crl = ca.gencrl(variant.crlOptions());
        final Mosquitto.Result text = Mosquitto.run(
                List.of("openssl", "crl", "-in", crl.toString(), "-noout", "-text"), Duration.ofSeconds(30));
        assertThat(text.output())
                .as("openssl signed it as asked")
                .contains(variant.pss() ? "rsassaPss" : variant.digest() + "WithRSAEncryption");
        return crl;
    }

    @Test
    void ocsp_answers_openssl_signs_with_sha384_sha512_and_pss_are_believed() throws Exception {
        final TestPki pki = TestPki.create(dir.resolve("pki"), KeyType.RSA2048);
        final int port = TestBroker.freePort();
        try (TestBroker broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        """
                        <crl-extension>
                            <ca-certificates>%s</ca-certificates>
                            <ocsp>
                                <enabled>true</enabled>
                                <responder-url>http://127.0.0.1:%d/</responder-url>
                                <timeout-seconds>2</timeout-seconds>
                                <when-unavailable>reject</when-unavailable>
                            </ocsp>
                        </crl-extension>"""
                                .formatted(pki.devPki().caCertificate(), port))
                .start()) {
            int n = 0;
            for (final Variant variant : VARIANTS) {
                n++;
                final Credentials good = pki.client("keys:ocsp-good-" + n);
                final Credentials revoked = pki.client("keys:ocsp-revoked-" + n);
                final OpensslResponder responder = new OpensslResponder(
                        dir.resolve("ocsp-" + n),
                        pki.devPki().caCertificate(),
                        pki.devPki().caCertificate(),
                        pki.devPki().caKey(),
                        port,
                        variant.ocspOptions());
                try {
                    responder.good(good.certificate());
                    responder.revoke(revoked.certificate());

                    final var admitted = broker.mqtt5(good, "good-" + n);
                    assertThat(admitted.connect().getReasonCode())
                            .as(variant + ": a good answer was believed")
                            .isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
                    admitted.disconnect();
                    final Mqtt5ConnAckException refused =
                            catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(revoked, "revoked")
                                    .connect());
                    assertThat(refused).as(variant.toString()).isNotNull();
                    assertThat(refused.getMqttMessage().getReasonString())
                            .get()
                            .asString()
                            .isEqualTo("certificate revoked (OCSP)");
                } finally {
                    responder.close();
                }
            }
        }
    }
}
