package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.OpensslCa;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.broker.testing.Tools;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A base CRL and its delta CRLs, as AD CS and EJBCA publish them, made by {@code openssl ca -gencrl}:
 * the base names its deltas (Freshest CRL) and holds a device; a delta on that base revokes a
 * connected device, which is cut, and lifts the hold (removeFromCRL), which lets the held device in.
 */
class DeltaCrlEndToEndTest {

    @TempDir
    Path dir;

    @Test
    void a_delta_on_its_base_cuts_the_device_it_revokes_and_lifts_a_hold() throws Exception {
        Tools.require("command -v openssl", "openssl");
        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Credentials held = pki.client("acme:held");
        final Credentials later = pki.client("acme:revoked-later");
        final Credentials good = pki.client("acme:good");
        final OpensslCa openssl = OpensslCa.create(
                dir.resolve("openssl-ca"), pki.devPki().caKey(), pki.devPki().caCertificate());
        openssl.crlExtensions("base", "freshestCRL = URI:http://pki.example.com/CertEnroll/IOTmidCA+.crl");
        openssl.revoked(Map.of(held.certificate(), "certificateHold"));
        final Path base = dir.resolve("IOTmidCA.crl");
        Files.copy(openssl.gencrl(List.of("-crlexts", "base")), base);
        final BigInteger baseNumber = number(base);
        // openssl cannot name the delta indicator, so it is written by OID with the base's number.
        openssl.crlExtensions("delta", "2.5.29.27 = critical, ASN1:INTEGER:" + baseNumber);
        openssl.revoked(Map.of());
        final Path delta = dir.resolve("IOTmidCA+.crl");
        Files.copy(openssl.gencrl(List.of("-crlexts", "delta")), delta);

        try (TestBroker broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources>
                        <crl-source>%s</crl-source>
                        <crl-source>%s</crl-source>
                    </crl-sources>
                    <refresh-interval-seconds>1</refresh-interval-seconds>
                </crl-extension>"""
                                .formatted(pki.devPki().caCertificate(), delta, base))
                .start()) {

            assertThat(broker.refusal(held)).as("on hold in the base").isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            final var connected = Disconnects.mqtt5(broker, later, "later");
            broker.mqtt5(good, "good").connect();

            final Map<X509Certificate, String> changes = new LinkedHashMap<>();
            changes.put(later.certificate(), "keyCompromise");
            changes.put(held.certificate(), "removeFromCRL");
            openssl.revoked(changes);
            Files.copy(openssl.gencrl(List.of("-crlexts", "delta")), delta, StandardCopyOption.REPLACE_EXISTING);

            assertThat(connected.awaitEnd(Duration.ofSeconds(15)).reasonCode())
                    .as("the delta revokes a connected device")
                    .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(broker.refusal(later)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            broker.mqtt5(held, "held-again").connect();
            broker.mqtt5(good, "good-again").connect();
        }
    }

    private static BigInteger number(final Path pem) throws Exception {
        final java.security.cert.X509CRL crl = (java.security.cert.X509CRL)
                java.security.cert.CertificateFactory.getInstance("X.509").generateCRL(Files.newInputStream(pem));
        final byte[] extension = crl.getExtensionValue("2.5.29.20");
        return org.bouncycastle.asn1.x509.CRLNumber.getInstance(
                        org.bouncycastle.asn1.ASN1OctetString.getInstance(extension)
                                .getOctets())
                .getCRLNumber();
    }
}
