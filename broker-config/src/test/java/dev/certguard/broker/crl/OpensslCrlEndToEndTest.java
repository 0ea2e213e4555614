package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.OpensslCa;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A CRL made by {@code openssl ca -gencrl}, as many PKIs make theirs, is read and enforced.
 */
class OpensslCrlEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void crl_generated_by_openssl_ca_is_enforced() throws Exception {
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Credentials revoked = pki.client("admin:opensslrevoked");
        final Credentials good = pki.client("admin:opensslgood");
        final OpensslCa ca = OpensslCa.create(
                dir.resolve("openssl-ca"), pki.devPki().caKey(), pki.devPki().caCertificate());
        ca.revoked(List.of(revoked.certificate()));
        final Path crl = ca.gencrl(List.of());

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
