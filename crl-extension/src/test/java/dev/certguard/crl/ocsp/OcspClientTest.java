package dev.certguard.crl.ocsp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.crl.verify.TestCa;
import java.math.BigInteger;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.ocsp.OCSPObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateID;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaDigestCalculatorProviderBuilder;
import org.junit.jupiter.api.Test;

/** Response verification: who may sign, for which certificate, how fresh, with which nonce. */
class OcspClientTest {

    private static final TestCa CA = TestCa.ec("CN=ocsp test ca");
    private static final KeyPair DEVICE_KEYS = TestCa.ec("CN=k").keys;
    private static final X509Certificate DEVICE =
            TestCa.issue(CA.certificate, CA.keys, "CN=admin:a1998e", DEVICE_KEYS.getPublic(), 77, false);

    private final OcspClient client = new OcspClient(
            HttpClient.newHttpClient(),
            URI.create("http://127.0.0.1:9/"),
            Duration.ofSeconds(1),
            Duration.ofHours(1),
            false,
            Clock.systemUTC());

    private static CertificateID id(final X509Certificate certificate) throws Exception {
        return new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(CA.certificate),
                certificate.getSerialNumber());
    }

    /** A response about {@code id}, signed with {@code signer} and carrying {@code certificates}. */
    private static byte[] response(
            final CertificateID id,
            final CertificateStatus status,
            final Instant thisUpdate,
            final Instant nextUpdate,
            final PrivateKey signer,
            final byte[] nonce,
            final X509CertificateHolder... certificates)
            throws Exception {
        final BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(new RespID(
                X500Name.getInstance(CA.certificate.getSubjectX500Principal().getEncoded())));
        builder.addResponse(id, status, Date.from(thisUpdate), nextUpdate == null ? null : Date.from(nextUpdate));
        if (nonce != null) {
            builder.setResponseExtensions(new Extensions(new Extension(
                    OCSPObjectIdentifiers.id_pkix_ocsp_nonce,
                    false,
                    new DEROctetString(new DEROctetString(nonce).getEncoded()))));
        }
        return new OCSPRespBuilder()
                .build(
                        OCSPRespBuilder.SUCCESSFUL,
                        builder.build(
                                new JcaContentSignerBuilder("SHA256withECDSA").build(signer),
                                certificates.length == 0 ? null : certificates,
                                new Date()))
                .getEncoded();
    }

    private static byte[] good(final PrivateKey signer, final X509CertificateHolder... certificates) throws Exception {
        return response(
                id(DEVICE),
                CertificateStatus.GOOD,
                Instant.now().minusSeconds(10),
                Instant.now().plusSeconds(600),
                signer,
                null,
                certificates);
    }

    /** A responder certificate issued by the CA, with the OCSP-signing purpose or without it. */
    private static X509CertificateHolder responder(final KeyPair keys, final boolean ocspSigning) throws Exception {
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(CA.certificate.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(900),
                Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(3600)),
                new X500Name("CN=ocsp responder"),
                keys.getPublic());
        builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        builder.addExtension(
                Extension.extendedKeyUsage,
                false,
                new ExtendedKeyUsage(ocspSigning ? KeyPurposeId.id_kp_OCSPSigning : KeyPurposeId.id_kp_clientAuth));
        return builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(CA.keys.getPrivate()));
    }

    private OcspAnswer verify(final byte[] der, final byte[] nonce) throws Exception {
        return client.verify(der, id(DEVICE), CA.certificate, nonce);
    }

    @Test
    void a_response_signed_by_the_issuer_gives_the_status_until_its_next_update() throws Exception {
        final Instant next = Instant.now().plusSeconds(600);
        final OcspAnswer good = verify(
                response(
                        id(DEVICE),
                        CertificateStatus.GOOD,
                        Instant.now().minusSeconds(5),
                        next,
                        CA.keys.getPrivate(),
                        null),
                null);
        final OcspAnswer revoked = verify(
                response(
                        id(DEVICE),
                        new RevokedStatus(new Date(), 1),
                        Instant.now().minusSeconds(5),
                        next,
                        CA.keys.getPrivate(),
                        null),
                null);

        assertThat(good.status()).isEqualTo(OcspAnswer.Status.GOOD);
        assertThat(good.usableUntil()).isBetween(next.minusMillis(1000), next.plusMillis(1000));
        assertThat(revoked.revoked()).isTrue();
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} {1} signing {2}")
    @org.junit.jupiter.params.provider.CsvSource({
        "RSA, 2048, SHA256withRSA",
        "RSA, 3072, SHA384withRSA",
        "RSA, 4096, SHA512withRSA",
        "RSA, 2048, SHA256withRSAandMGF1",
        "RSA, 2048, SHA384withRSAandMGF1",
        "RSA, 2048, SHA512withRSAandMGF1",
        "RSASSA-PSS, 2048, SHA256withRSAandMGF1",
        "RSASSA-PSS, 2048, SHA512withRSAandMGF1",
        "EC, 384, SHA384withECDSA",
        "EC, 521, SHA512withECDSA",
        "Ed25519, 0, Ed25519"
    })
    void answers_signed_by_issuers_of_every_common_algorithm_are_believed(
            final String keyAlgorithm, final int size, final String signature) throws Exception {
        final TestCa issuer = TestCa.signingWith("CN=" + signature + " issuer", keyAlgorithm, size, signature);
        final CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer.certificate),
                BigInteger.valueOf(4242));
        final BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(new RespID(X500Name.getInstance(
                issuer.certificate.getSubjectX500Principal().getEncoded())));
        builder.addResponse(
                id,
                new RevokedStatus(new Date(), 1),
                Date.from(Instant.now().minusSeconds(5)),
                Date.from(Instant.now().plusSeconds(600)));
        final byte[] der = new OCSPRespBuilder()
                .build(
                        OCSPRespBuilder.SUCCESSFUL,
                        builder.build(TestCa.signer(signature).build(issuer.keys.getPrivate()), null, new Date()))
                .getEncoded();

        final OcspAnswer answer = client.verify(der, id, issuer.certificate, null);

        assertThat(answer.revoked()).as(answer.toString()).isTrue();
    }

    @Test
    void a_pss_answer_claiming_a_salt_of_two_gigabytes_is_refused_without_allocating_it() throws Exception {
        final TestCa issuer = TestCa.rsa("CN=pss salt issuer");
        final CertificateID id = new CertificateID(
                new JcaDigestCalculatorProviderBuilder().build().get(CertificateID.HASH_SHA1),
                new JcaX509CertificateHolder(issuer.certificate),
                BigInteger.valueOf(4242));
        final org.bouncycastle.asn1.x509.AlgorithmIdentifier sha256 =
                new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                        org.bouncycastle.asn1.nist.NISTObjectIdentifiers.id_sha256,
                        org.bouncycastle.asn1.DERNull.INSTANCE);
        final org.bouncycastle.asn1.x509.AlgorithmIdentifier hostile =
                new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                        org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_RSASSA_PSS,
                        new org.bouncycastle.asn1.pkcs.RSASSAPSSparams(
                                sha256,
                                new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
                                        org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.id_mgf1, sha256),
                                new org.bouncycastle.asn1.ASN1Integer(2_000_000_000L),
                                new org.bouncycastle.asn1.ASN1Integer(1)));
        final org.bouncycastle.operator.ContentSigner liar = new org.bouncycastle.operator.ContentSigner() {
            private final java.io.ByteArrayOutputStream signed = new java.io.ByteArrayOutputStream();

            @Override
            public org.bouncycastle.asn1.x509.AlgorithmIdentifier getAlgorithmIdentifier() {
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
        final BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(new RespID(X500Name.getInstance(
                issuer.certificate.getSubjectX500Principal().getEncoded())));
        builder.addResponse(
                id,
                new RevokedStatus(new Date(), 1),
                Date.from(Instant.now().minusSeconds(5)),
                Date.from(Instant.now().plusSeconds(600)));
        final byte[] der = new OCSPRespBuilder()
                .build(OCSPRespBuilder.SUCCESSFUL, builder.build(liar, null, new Date()))
                .getEncoded();
        final long before =
                Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();

        final OcspAnswer answer = client.verify(der, id, issuer.certificate, null);

        assertThat(answer.revoked()).isFalse();
        assertThat(answer.status()).isNotEqualTo(OcspAnswer.Status.GOOD);
        assertThat(Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory() - before)
                .as("no salt-sized buffer was allocated")
                .isLessThan(512L * 1024 * 1024);
    }

    @Test
    void a_delegated_responder_counts_only_with_the_ocsp_signing_purpose() throws Exception {
        final KeyPair keys = TestCa.ec("CN=r").keys;

        assertThat(verify(good(keys.getPrivate(), responder(keys, true)), null).status())
                .isEqualTo(OcspAnswer.Status.GOOD);
        assertThat(verify(good(keys.getPrivate(), responder(keys, false)), null).failure())
                .isEqualTo("signature");
        assertThat(verify(good(keys.getPrivate()), null).failure())
                .as("a key nobody certified")
                .isEqualTo("signature");
    }

    @Test
    void stale_future_and_foreign_responses_are_not_believed() throws Exception {
        final PrivateKey key = CA.keys.getPrivate();
        assertThat(verify(
                                response(
                                        id(DEVICE),
                                        CertificateStatus.GOOD,
                                        Instant.now().minusSeconds(7200),
                                        Instant.now().minusSeconds(3600),
                                        key,
                                        null),
                                null)
                        .failure())
                .isEqualTo("stale");
        assertThat(verify(
                                response(
                                        id(DEVICE),
                                        CertificateStatus.GOOD,
                                        Instant.now().plusSeconds(600),
                                        null,
                                        key,
                                        null),
                                null)
                        .failure())
                .isEqualTo("not-yet-valid");
        final X509Certificate other = TestCa.issue(
                CA.certificate,
                CA.keys,
                "CN=admin:other",
                TestCa.ec("CN=o").keys.getPublic(),
                78,
                false);
        assertThat(verify(
                                response(
                                        id(other),
                                        CertificateStatus.GOOD,
                                        Instant.now().minusSeconds(5),
                                        null,
                                        key,
                                        null),
                                null)
                        .failure())
                .isEqualTo("no-matching-response");
        assertThat(verify(
                                response(
                                        id(DEVICE),
                                        CertificateStatus.GOOD,
                                        Instant.now().minus(Duration.ofHours(2)),
                                        null,
                                        key,
                                        null),
                                null)
                        .failure())
                .as("no nextUpdate and older than cache-seconds: could be a replay from before a revocation")
                .isEqualTo("stale");
        assertThat(verify(new byte[] {0x30, 0x03, 0x0a, 0x01, 0x00}, null).failure())
                .isIn("malformed", "responder-status");
        assertThat(verify("garbage".getBytes(), null).failure()).isEqualTo("malformed");
    }

    @Test
    void a_nonce_sent_must_come_back() throws Exception {
        final byte[] nonce = {1, 2, 3, 4, 5, 6, 7, 8};
        final PrivateKey key = CA.keys.getPrivate();
        final Instant now = Instant.now();

        assertThat(verify(response(id(DEVICE), CertificateStatus.GOOD, now, null, key, nonce), nonce)
                        .status())
                .isEqualTo(OcspAnswer.Status.GOOD);
        assertThat(verify(response(id(DEVICE), CertificateStatus.GOOD, now, null, key, new byte[] {9}), nonce)
                        .failure())
                .isEqualTo("nonce");
        assertThat(verify(response(id(DEVICE), CertificateStatus.GOOD, now, null, key, null), nonce)
                        .failure())
                .isEqualTo("nonce");
    }

    @Test
    void without_a_responder_url_the_certificates_aia_names_the_responder() throws Exception {
        final OcspClient byAia = new OcspClient(
                HttpClient.newHttpClient(), null, Duration.ofSeconds(1), Duration.ofHours(1), false, Clock.systemUTC());
        assertThat(byAia.responderFor(DEVICE)).isNull();
        assertThat(byAia.ask(DEVICE, CA.certificate).join().failure()).isEqualTo("no-responder");
        final X509Certificate withAia = withAia(new org.bouncycastle.asn1.x509.GeneralName(
                org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, "http://ocsp.example.org/"));
        assertThat(byAia.responderFor(withAia)).hasToString("http://ocsp.example.org/");
    }

    @Test
    void an_aia_location_the_http_client_refuses_gives_a_failed_answer_never_an_exception() throws Exception {
        final OcspClient byAia = new OcspClient(
                HttpClient.newHttpClient(), null, Duration.ofSeconds(1), Duration.ofHours(1), false, Clock.systemUTC());
        for (final String location : java.util.List.of("http://ocsp_srv/x", "http:///x", "http://[::1/x")) {
            final X509Certificate withAia = withAia(new org.bouncycastle.asn1.x509.GeneralName(
                    org.bouncycastle.asn1.x509.GeneralName.uniformResourceIdentifier, location));

            final OcspAnswer answer = byAia.ask(withAia, CA.certificate).get(5, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(answer.status()).as(location).isNull();
            assertThat(answer.failure()).as(location).isIn("request", "no-responder", "http");
        }
    }

    private static X509Certificate withAia(final org.bouncycastle.asn1.x509.GeneralName location) throws Exception {
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
                X500Name.getInstance(CA.certificate.getSubjectX500Principal().getEncoded()),
                BigInteger.valueOf(80),
                Date.from(Instant.now().minusSeconds(60)),
                Date.from(Instant.now().plusSeconds(3600)),
                new X500Name("CN=admin:aia"),
                DEVICE_KEYS.getPublic());
        builder.addExtension(
                Extension.authorityInfoAccess,
                false,
                new org.bouncycastle.asn1.x509.AuthorityInformationAccess(
                        org.bouncycastle.asn1.x509.AccessDescription.id_ad_ocsp, location));
        return new JcaX509CertificateConverter()
                .getCertificate(
                        builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(CA.keys.getPrivate())));
    }
}
