package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.DevPki;
import dev.certguard.pki.PemFiles;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What an attacker with a certificate from a trusted CA tries against the revocation check, against
 * the packaged extensions over real TLS: appending the root to skip a revoked intermediate, a CA
 * re-keyed under the same name, a CA the broker trusts but crl-extension was not given, and a CA
 * certificate presented as a device. The broker's truststore holds every CA here, so TLS accepts
 * each chain and only certguard stands in the way.
 */
class ChainAttackEndToEndTest {

    @org.junit.jupiter.api.io.TempDir
    static Path dir;

    static TestPki pki;
    static CertificateAuthority root;
    static CertificateAuthority intermediate;
    static CertificateAuthority rekeyedOld;
    static CertificateAuthority rekeyedNew;
    static CertificateAuthority unconfigured;
    static Credentials revokedByOldKey;
    static Credentials revokedByNewKey;

    @AutoClose
    static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        root = pki.authority();
        final Instant later = Instant.now().plus(Duration.ofDays(1));
        intermediate = root.issueIntermediate("certguard attacked intermediate", later);
        rekeyedOld = CertificateAuthority.createRoot("certguard rekeyed CA", later);
        rekeyedNew = CertificateAuthority.createRoot("certguard rekeyed CA", later);
        unconfigured = CertificateAuthority.createRoot("certguard unconfigured CA", later);
        revokedByOldKey = pki.issuedBy(rekeyedOld, "admin:old-revoked", CertificateAuthority.Purpose.CLIENT, List.of());
        revokedByNewKey = pki.issuedBy(rekeyedNew, "admin:new-revoked", CertificateAuthority.Purpose.CLIENT, List.of());

        final Path intermediateFile = dir.resolve("intermediate.crt");
        PemFiles.writeCertificates(intermediateFile, true, intermediate.certificate());
        pki.devPki().revoke(intermediateFile, CertificateAuthority.UNSPECIFIED);
        final Path bundle = dir.resolve("ca-bundle.pem");
        PemFiles.writeCertificates(
                bundle,
                true,
                root.certificate(),
                intermediate.certificate(),
                rekeyedOld.certificate(),
                rekeyedNew.certificate());
        final Instant now = Instant.now().minusSeconds(5);
        final Instant next = now.plus(Duration.ofHours(1));
        final Path intermediateCrl = crl(intermediate, "intermediate", List.of(), BigInteger.ONE, now, next);
        final Path oldCrl = crl(rekeyedOld, "old", List.of(revokedByOldKey), BigInteger.valueOf(40), now, next);
        final Path newCrl = crl(rekeyedNew, "new", List.of(revokedByNewKey), BigInteger.valueOf(2), now, next);
        trustEveryCa();

        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        """
                        <crl-extension>
                            <ca-certificates>%s</ca-certificates>
                            <crl-sources>
                                <crl-source>%s</crl-source>
                                <crl-source>%s</crl-source>
                                <crl-source>%s</crl-source>
                                <crl-source>%s</crl-source>
                            </crl-sources>
                            <refresh-interval-seconds>1</refresh-interval-seconds>
                            <when-unavailable>allow</when-unavailable>
                        </crl-extension>"""
                                .formatted(bundle, pki.devPki().crlDer(), intermediateCrl, oldCrl, newCrl))
                .start();
    }

    private static Path crl(
            final CertificateAuthority ca,
            final String name,
            final List<Credentials> revoked,
            final BigInteger number,
            final Instant thisUpdate,
            final Instant nextUpdate)
            throws Exception {
        final Path der = dir.resolve(name + "-crl.der");
        PemFiles.writeCrl(
                dir.resolve(name + "-crl.pem"),
                der,
                ca.crl(
                        revoked.stream()
                                .map(c -> new CertificateAuthority.Revocation(
                                        c.certificate().getSerialNumber(),
                                        thisUpdate,
                                        CertificateAuthority.UNSPECIFIED))
                                .toList(),
                        number,
                        thisUpdate,
                        nextUpdate));
        return der;
    }

    /** The broker's TLS trusts every CA of this test, so that TLS never decides for certguard. */
    private static void trustEveryCa() throws Exception {
        final KeyStore truststore = KeyStore.getInstance("PKCS12");
        truststore.load(null, null);
        int n = 0;
        for (final CertificateAuthority ca : List.of(root, intermediate, rekeyedOld, rekeyedNew, unconfigured)) {
            truststore.setCertificateEntry("ca-" + n++, ca.certificate());
        }
        try (OutputStream out = Files.newOutputStream(pki.devPki().truststore())) {
            truststore.store(out, DevPki.KEYSTORE_PASSWORD.toCharArray());
        }
    }

    private static Mqtt5ConnAckException refused(final Credentials credentials) {
        final Mqtt5ConnAckException refused = catchThrowableOfType(
                Mqtt5ConnAckException.class,
                () -> broker.mqtt5(credentials, "c-" + UUID.randomUUID()).connect());
        assertThat(refused).as("CONNECT refused").isNotNull();
        return refused;
    }

    private static void assertAccepted(final Credentials credentials) {
        final var client = broker.mqtt5(credentials, "c-" + UUID.randomUUID());
        assertThat(client.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        client.disconnect();
    }

    @Test
    void device_under_a_revoked_intermediate_is_refused_whatever_chain_it_presents() {
        final X509Certificate mid = intermediate.certificate();
        final X509Certificate top = root.certificate();
        for (final List<X509Certificate> presented :
                List.of(List.<X509Certificate>of(), List.of(mid), List.of(top), List.of(mid, top), List.of(top, mid))) {
            final Credentials device =
                    pki.issuedBy(intermediate, "admin:under-revoked", CertificateAuthority.Purpose.CLIENT, presented);

            final Mqtt5ConnAckException refused = refused(device);

            assertThat(refused.getMqttMessage().getReasonCode())
                    .as("presenting leaf + %d certificates", presented.size())
                    .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            assertThat(refused.getMqttMessage().getReasonString())
                    .as("presenting leaf + %d certificates", presented.size())
                    .get()
                    .asString()
                    .isEqualTo("certificate revoked");
        }
    }

    @Test
    void each_key_of_a_re_keyed_ca_revokes_its_own_devices() {
        assertThat(refused(revokedByOldKey).getMqttMessage().getReasonString())
                .get()
                .asString()
                .isEqualTo("certificate revoked");
        assertThat(refused(revokedByNewKey).getMqttMessage().getReasonString())
                .get()
                .asString()
                .isEqualTo("certificate revoked");
        assertAccepted(pki.issuedBy(rekeyedOld, "admin:old-good", CertificateAuthority.Purpose.CLIENT, List.of()));
        assertAccepted(pki.issuedBy(rekeyedNew, "admin:new-good", CertificateAuthority.Purpose.CLIENT, List.of()));
        assertThat(broker.counter(
                        "dev.certguard.crl-extension.source." + key(dir.resolve("new-crl.der")) + ".failures"))
                .as("the re-keyed CA's CRL is no rollback of the old key's")
                .isZero();
    }

    @Test
    void device_of_a_trusted_ca_that_crl_extension_was_not_given_is_refused_as_unknown_issuer() {
        final Credentials stranger =
                pki.issuedBy(unconfigured, "admin:stranger", CertificateAuthority.Purpose.CLIENT, List.of());

        final Mqtt5ConnAckException refused = refused(stranger);

        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString())
                .as("when-unavailable=allow is for a missing CRL, not an unknown issuer")
                .get()
                .asString()
                .isEqualTo("certificate issuer unknown");
        assertThat(broker.counter("dev.certguard.crl-extension.connect.rejected.unknown-issuer"))
                .isGreaterThanOrEqualTo(1);
    }

    @Test
    void ca_certificate_presented_as_a_device_is_refused() throws Exception {
        // CA:TRUE with keyCertSign, and digitalSignature plus clientAuth so that TLS accepts it for a client.
        final KeyPair keys = CertificateAuthority.newKeyPair();
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                root.certificate(),
                BigInteger.valueOf(System.nanoTime()),
                Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plus(Duration.ofHours(1))),
                new X500Name("CN=admin:a1998e"),
                keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth));
        final Credentials caAsDevice = pki.withCertificate(
                keys,
                new JcaX509CertificateConverter()
                        .getCertificate(builder.build(
                                new JcaContentSignerBuilder("SHA256withECDSA").build(root.privateKey()))));

        final Mqtt5ConnAckException refused = refused(caAsDevice);

        assertThat(refused.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
        assertThat(refused.getMqttMessage().getReasonString())
                .get()
                .asString()
                .startsWith("client certificate is a CA certificate");
        assertThat(broker.counter("dev.certguard.acl-extension.connect.rejected.not-end-entity"))
                .isGreaterThanOrEqualTo(1);
        assertAccepted(pki.client("admin:a1998e"));
    }

    private static String key(final Path path) {
        return path.toString().replaceAll("[^A-Za-z0-9._-]+", "_");
    }
}
