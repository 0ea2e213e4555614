package dev.certguard.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.MetricsEndpoint;
import dev.certguard.broker.testing.AuditEndpoint;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.testing.RocaKeys;
import java.math.BigInteger;
import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet audit in the packaged broker over real TLS with real clients: devices holding an
 * RSA-1024 key, a certificate signed with SHA-1 and an RSA key built like the flawed RSALib (ROCA)
 * complete the TLS handshake and are refused {@code 0x87} "certificate key too weak" at CONNECT;
 * a service configured with {@code #} is a finding from start; a sound device reconnecting is none.
 * The report at {@code GET /certguard/audit} on the launcher's metrics endpoint, the
 * {@code dev.certguard.audit.*} series and the audit trail show each finding once, with its count.
 */
class FleetAuditEndToEndTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestBroker broker;
    static MetricsEndpoint endpoint;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        // A second configured CA with an RSA-1024 key: no device of it connects; it is judged at load.
        final KeyPair weakKeys = rsa(1024);
        final X500Name weakName = new X500Name("CN=weak ca");
        final CertificateAuthority weakCa = new CertificateAuthority(
                weakKeys,
                new JcaX509CertificateConverter()
                        .getCertificate(new JcaX509v3CertificateBuilder(
                                        weakName,
                                        BigInteger.TWO,
                                        Date.from(Instant.now().minusSeconds(60)),
                                        Date.from(Instant.now().plus(Duration.ofDays(30))),
                                        weakName,
                                        weakKeys.getPublic())
                                .addExtension(Extension.basicConstraints, true, new BasicConstraints(true))
                                .addExtension(
                                        Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign))
                                .build(new JcaContentSignerBuilder("SHA256withRSA").build(weakKeys.getPrivate()))));
        final Path weakCrl = dir.resolve("weak-ca.crl.pem");
        TestPki.writeEmptyCrl(weakCa, weakCrl, dir.resolve("weak-ca.crl.der"));
        final TestBroker.Builder builder = TestBroker.builder(dir)
                .pki(pki)
                .trustWithCrls(List.of(weakCa.certificate()), List.of(weakCrl))
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension>
                            <services>
                                <service><identity>wide-bridge</identity><publish>#</publish></service>
                                <service><identity>v2k-bridge</identity><subscribe>+/attrs</subscribe></service>
                            </services>
                        </acl-extension>""");
        final BrokerHome home = builder.prepare();
        Files.copy(
                BrokerHome.template().conf().resolve("logback.xml"),
                home.conf().resolve("logback.xml"),
                StandardCopyOption.REPLACE_EXISTING);
        broker = builder.start(home);
        endpoint = MetricsEndpoint.start(broker.embedded().metrics(), "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static Credentials device(final String name, final KeyPair keys, final String signature) throws Exception {
        return device(name, keys, signature, Duration.ofDays(365));
    }

    private static Credentials device(
            final String name, final KeyPair keys, final String signature, final Duration validity) throws Exception {
        final CertificateAuthority ca = pki.authority();
        final Instant now = Instant.now();
        final X509Certificate certificate = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                ca.certificate(),
                                new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
                                Date.from(now.minusSeconds(60)),
                                Date.from(now.plus(validity)),
                                new X500Name("CN=" + name),
                                keys.getPublic())
                        .build(new JcaContentSignerBuilder(signature).build(ca.privateKey())));
        return pki.withCertificate(keys, certificate);
    }

    private static KeyPair rsa(final int bits) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(bits);
        return generator.generateKeyPair();
    }

    private static KeyPair p256() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(256);
        return generator.generateKeyPair();
    }

    private static Mqtt5ConnAckException refused(final Credentials credentials, final String clientId) {
        return catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(credentials.sslConfig(), clientId)
                .connect());
    }

    private static HttpURLConnection get(final String pathAndQuery) throws Exception {
        return new AuditEndpoint(endpoint).get(pathAndQuery);
    }

    private static JsonNode report(final String query) throws Exception {
        return new AuditEndpoint(endpoint).report(query);
    }

    private static double series(final String name) throws Exception {
        return new AuditEndpoint(endpoint).series(name);
    }

    private static List<JsonNode> auditEvents(final String event) throws Exception {
        final Path file = broker.home().log().resolve("certguard-audit.log");
        final List<JsonNode> events = new ArrayList<>();
        for (final String line : Files.readAllLines(file)) {
            final JsonNode node = new ObjectMapper().readTree(line);
            if (node.path("event").asText().equals(event)) {
                events.add(node);
            }
        }
        return events;
    }

    @Test
    void weak_keys_are_refused_at_connect_and_reported_once_each_with_counts() throws Exception {
        final Credentials rsa1024 = device("audit:rsa1024", rsa(1024), "SHA256withECDSA");
        final Credentials sha1 = device("audit:sha1", p256(), "SHA1withECDSA");
        final Credentials roca = device("audit:roca", RocaKeys.generate(2048, new SecureRandom()), "SHA256withECDSA");
        final Credentials sound = device("audit:sound", p256(), "SHA256withECDSA");

        for (final Credentials weak : List.of(rsa1024, sha1, roca)) {
            final Mqtt5ConnAckException e = refused(weak, "c");
            assertThat(e)
                    .as(weak.certificate().getSubjectX500Principal().getName())
                    .isNotNull();
            assertThat(e.getMqttMessage().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            assertThat(e.getMqttMessage().getReasonString().map(Object::toString))
                    .hasValue("certificate key too weak");
        }
        assertThat(refused(rsa1024, "again")).as("refused again").isNotNull();
        for (int i = 0; i < 20; i++) {
            final var client = broker.mqtt5(sound.sslConfig(), "sound");
            assertThat(client.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
            client.disconnect();
        }

        final JsonNode report = report("");
        assertThat(report.get("summary").get("key-quality").asInt()).isEqualTo(3);
        final Map<String, String> rules = Map.of(
                rsa1024.sha256(), "rsa-too-short: RSA 1024 bits, minimum 2048",
                sha1.sha256(), "weak-signature: signed with ECDSA with SHA-1",
                roca.sha256(), "roca: RSA 2048 bits with the ROCA fingerprint");
        final List<JsonNode> keyFindings = new ArrayList<>();
        report.get("findings").forEach(f -> {
            if (f.get("check").asText().equals("key-quality")) {
                keyFindings.add(f);
            }
        });
        assertThat(keyFindings).hasSize(3);
        for (final JsonNode finding : keyFindings) {
            final String fingerprint = finding.get("certificate_sha256").asText();
            assertThat(rules).containsKey(fingerprint);
            assertThat(finding.get("details").asText()).isEqualTo(rules.get(fingerprint));
            assertThat(finding.get("severity").asText()).isEqualTo("high");
            assertThat(finding.get("count").asLong())
                    .as(finding.get("identity").asText())
                    .isEqualTo(fingerprint.equals(rsa1024.sha256()) ? 2 : 1);
        }
        assertThat(report.toString()).doesNotContain("audit:sound");
        assertThat(series("dev_certguard_audit_findings_key_quality")).isEqualTo(3.0);
        assertThat(series("dev_certguard_acl_extension_connect_rejected_key_too_weak"))
                .isEqualTo(4.0);
        assertThat(auditEvents("audit.finding"))
                .filteredOn(e -> e.path("reason").asText().startsWith("key-quality"))
                .as("one audit.finding per finding, not per CONNECT")
                .hasSize(3);
        assertThat(report("?limit=1").get("findings")).hasSize(1);
    }

    @Test
    void a_configured_ca_with_a_weak_key_is_a_finding_in_the_report_at_load_and_its_fleet_still_connects()
            throws Exception {
        final JsonNode report = report("");

        final List<String> cas = new ArrayList<>();
        report.get("findings").forEach(f -> {
            if (f.get("check").asText().equals("ca-key-quality")) {
                cas.add(f.get("severity").asText() + " " + f.get("identity").asText() + " "
                        + f.get("certificate_sha256").asText().length() + ": "
                        + f.get("details").asText());
            }
        });
        assertThat(cas)
                .singleElement()
                .asString()
                .startsWith("high CN=weak ca 64: ")
                .contains("RSA", "1024");
        assertThat(series("dev_certguard_audit_findings_ca_key_quality")).isEqualTo(1.0);
        final var sound = broker.mqtt5(pki.client("admin:ca-sound").sslConfig(), "admin:ca-sound");
        assertThat(sound.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        sound.disconnect();
    }

    @Test
    void a_service_with_a_wildcard_only_filter_is_a_finding_from_start_and_a_bridge_is_not() throws Exception {
        final JsonNode report = report("");

        assertThat(report.get("summary").get("service-overly-permissive").asInt())
                .isEqualTo(1);
        assertThat(report.get("summary").get("audit-log-disabled").asInt())
                .as("the shipped logback.xml writes the audit trail")
                .isZero();
        assertThat(report.get("summary").get("revoked-still-connected").asInt())
                .as("crl-extension's self-check, included while it runs")
                .isZero();
        assertThat(report.get("summary").get("ca-key-quality").asInt())
                .as("the RSA-1024 CA; the test PKI's P-256 CA is sound")
                .isEqualTo(1);
        assertThat(series("dev_certguard_audit_ca_weak_ca_days_to_expiry"))
                .as("the weak CA's 30 days")
                .isBetween(29.0, 30.0);
        assertThat(series("dev_certguard_audit_ca_soonest_days_to_expiry"))
                .as("the test PKI's short-lived CA")
                .isBetween(0.0, 29.0);
        final List<String> services = new ArrayList<>();
        report.get("findings").forEach(f -> {
            if (f.get("check").asText().equals("service-overly-permissive")) {
                services.add(
                        f.get("identity").asText() + ": " + f.get("details").asText());
            }
        });
        assertThat(services).containsExactly("wide-bridge: may publish '#', a filter made only of wildcards");
        assertThat(series("dev_certguard_audit_findings_service_overly_permissive"))
                .isEqualTo(1.0);
    }

    @Test
    void the_broker_certificate_days_to_expiry_are_read_from_what_its_tls_listener_presents() throws Exception {
        final X509Certificate presented;
        try (var in = Files.newInputStream(pki.devPki().dir().resolve("broker.crt"))) {
            presented =
                    (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        final long expected = Duration.between(
                        Instant.now(), presented.getNotAfter().toInstant())
                .toDays();

        assertThat(series("dev_certguard_audit_broker_certificate_days_to_expiry"))
                .as("whole days left of broker.crt, the certificate the TLS listener serves")
                .isBetween((double) expected - 1, (double) expected);
    }

    @Test
    void the_census_counts_connected_certificates_by_expiry_and_lists_the_soonest() throws Exception {
        final Credentials threeDays = device("census:three", p256(), "SHA256withECDSA", Duration.ofDays(3));
        final Credentials twentyDays = device("census:twenty", p256(), "SHA256withECDSA", Duration.ofDays(20));
        final var first = broker.mqtt5(threeDays.sslConfig(), "c");
        final var second = broker.mqtt5(twentyDays.sslConfig(), "c");
        try {
            assertThat(first.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
            assertThat(second.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);

            assertThat(series("dev_certguard_audit_certificates_connected")).isEqualTo(2.0);
            assertThat(series("dev_certguard_audit_certificates_expiring_1d")).isZero();
            assertThat(series("dev_certguard_audit_certificates_expiring_7d")).isEqualTo(1.0);
            assertThat(series("dev_certguard_audit_certificates_expiring_30d")).isEqualTo(2.0);
            assertThat(series("dev_certguard_audit_certificates_old")).isZero();
            final List<String> expiring = new ArrayList<>();
            report("").get("findings").forEach(f -> {
                if (f.get("check").asText().equals("certificate-expiring")) {
                    expiring.add(
                            f.get("identity").asText() + " " + f.get("details").asText());
                }
            });
            assertThat(expiring)
                    .singleElement()
                    .asString()
                    .startsWith("census:three expires ")
                    .endsWith("in 2 days");
        } finally {
            first.disconnect();
            second.disconnect();
        }
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (series("dev_certguard_audit_certificates_connected") > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(series("dev_certguard_audit_certificates_connected")).isZero();
        assertThat(series("dev_certguard_audit_certificates_expiring_30d")).isZero();
    }

    @Test
    void the_identities_refused_or_denied_most_are_listed_as_repeat_offenders() throws Exception {
        final Credentials noisy = device("offender:noisy", p256(), "SHA256withECDSA");
        for (int i = 0; i < 3; i++) {
            final var client = broker.mqtt5(noisy.sslConfig(), "c");
            client.connect();
            assertThat(catchThrowableOfType(
                            com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5SubAckException.class,
                            () -> client.subscribeWith()
                                    .topicFilter("admin:other/config")
                                    .send()))
                    .as("SUBACK 0x87")
                    .isNotNull();
            client.disconnect();
        }
        final var publisher = broker.mqtt5(noisy.sslConfig(), "p");
        publisher.connect();
        assertThat(catchThrowableOfType(
                        com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5PubAckException.class, () -> publisher
                                .publishWith()
                                .topic("admin:other/attrs")
                                .qos(com.hivemq.client.mqtt.datatypes.MqttQos.AT_LEAST_ONCE)
                                .payload(new byte[] {1})
                                .send()))
                .as("PUBACK 0x87, then DISCONNECT")
                .isNotNull();
        final Credentials notADevice = device("offender-without-tenant", p256(), "SHA256withECDSA");
        assertThat(refused(notADevice, "w"))
                .as("not a tenant:device_id identity")
                .isNotNull();

        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        JsonNode offenders = report("").get("offenders");
        while (offenders.get("publish-denied").isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(100);
            offenders = report("").get("offenders");
        }

        assertThat(offenders.get("subscribe-denied").toString())
                .contains("{\"identity\":\"offender:noisy\",\"count\":3}");
        assertThat(offenders.get("publish-denied").toString())
                .contains("{\"identity\":\"offender:noisy\",\"count\":1}");
        assertThat(offenders.get("connect-refused").toString()).contains("\"identity\":\"offender-without-tenant\"");
        assertThat(series("dev_certguard_audit_offenders_subscribe_denied")).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void the_report_endpoint_refuses_a_bad_limit_and_other_paths() throws Exception {
        assertThat(get("/certguard/audit?limit=lots").getResponseCode()).isEqualTo(400);
        assertThat(get("/certguard/audit?limit=100001").getResponseCode()).isEqualTo(400);
        assertThat(get("/certguard/other").getResponseCode()).isEqualTo(404);
        final HttpURLConnection post = get("/certguard/audit");
        post.setRequestMethod("POST");
        assertThat(post.getResponseCode()).isEqualTo(405);
        assertThat(report("?limit=0").get("findings")).isEmpty();
    }
}
