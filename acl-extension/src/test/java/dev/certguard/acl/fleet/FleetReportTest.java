package dev.certguard.acl.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.audit.Audit;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.testing.TestCertificates;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class FleetReportTest {

    private final FleetFindingsTest.MovingClock clock = new FleetFindingsTest.MovingClock();
    private final FleetCensus census = new FleetCensus();
    private final FleetAudit audit = new FleetAudit(
            clock, new Audit("acl-extension", clock), census, () -> FleetAuditConfig.DEFAULTS, connection -> {});

    private static X509Certificate rsa1024(final String subject) throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        final KeyPair keys = generator.generateKeyPair();
        return TestCertificates.certificate(subject, keys.getPublic(), keys.getPrivate(), "SHA256withRSA");
    }

    @Test
    void another_extensions_findings_are_listed_among_the_audits_own_by_when_last_seen_and_malformed_ones_skipped()
            throws Exception {
        final X509Certificate weak = rsa1024("CN=admin:a1998e");
        audit.connecting(FleetAuditConfig.DEFAULTS, "admin:a1998e", weak, CertificateIdentity.sha256Fingerprint(weak));
        audit.includeCheck(
                "revoked-still-connected",
                () -> 1,
                () -> List.of(
                        dev.certguard.audit.SharedFinding.of(
                                "revoked-still-connected",
                                "high",
                                "admin:still\\u000a",
                                "ab".repeat(32),
                                "still connected",
                                clock.instant().plusSeconds(5),
                                clock.instant().plusSeconds(65),
                                2),
                        java.util.Map.of("check", "half a finding")));
        audit.includeCheck("ca-key-quality", () -> null, () -> null);

        final JsonNode report = new ObjectMapper().readTree(new FleetReport(audit).apply(1000));

        assertThat(report.get("summary").get("revoked-still-connected").asInt()).isEqualTo(1);
        assertThat(report.get("summary").has("ca-key-quality"))
                .as("not running")
                .isFalse();
        final JsonNode findings = report.get("findings");
        assertThat(findings)
                .as("the external one, key-quality and certificate-expiring")
                .hasSize(3);
        assertThat(findings.get(0).get("check").asText()).isEqualTo("revoked-still-connected");
        assertThat(findings.get(0).get("identity").asText()).isEqualTo("admin:still\\u000a");
        assertThat(findings.get(0).get("last_seen").asText()).isEqualTo("2026-12-07T12:01:05Z");
        assertThat(findings.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(List.of(
                        findings.get(1).get("check").asText(),
                        findings.get(2).get("check").asText()))
                .containsExactlyInAnyOrder("key-quality", "certificate-expiring");
        assertThat(new ObjectMapper().readTree(new FleetReport(audit).apply(1)).get("findings"))
                .as("the limit counts both")
                .hasSize(1);
    }

    @Test
    void the_report_lists_every_check_in_its_summary_and_findings_newest_first() throws Exception {
        final X509Certificate weak = rsa1024("CN=admin:a1998e");
        final String fingerprint = CertificateIdentity.sha256Fingerprint(weak);
        audit.connecting(FleetAuditConfig.DEFAULTS, "admin:a1998e", weak, fingerprint);
        for (int i = 0; i < 7; i++) {
            census.add(TestCertificates.certificate("CN=admin:c" + i));
        }
        clock.advance(Duration.ofSeconds(10));
        audit.configured(new AclConfig(
                false,
                Set.of(),
                List.of(new ServiceRule("bridge", null, List.of("#"), List.of(), false)),
                FleetAuditConfig.DEFAULTS));

        final JsonNode report = new ObjectMapper().readTree(new FleetReport(audit).apply(1000));

        assertThat(report.get("generated").asText()).isEqualTo("2026-12-07T12:00:10Z");
        assertThat(report.get("connected").asInt()).isEqualTo(7);
        for (final Check check : Check.values()) {
            assertThat(report.get("summary").has(check.label()))
                    .as(check.label())
                    .isTrue();
        }
        assertThat(report.get("summary").get("key-quality").asInt()).isEqualTo(1);
        final JsonNode findings = report.get("findings");
        assertThat(findings).hasSize(3);
        assertThat(findings.get(0).get("check").asText()).isEqualTo("service-overly-permissive");
        assertThat(findings.get(0).get("identity").asText()).isEqualTo("bridge");
        assertThat(findings.get(1).get("check").asText())
                .as("an hour of validity left")
                .isEqualTo("certificate-expiring");
        assertThat(findings.get(1).get("severity").asText()).isEqualTo("low");
        final JsonNode key = findings.get(2);
        assertThat(key.get("check").asText()).isEqualTo("key-quality");
        assertThat(key.get("severity").asText()).isEqualTo("high");
        assertThat(key.get("identity").asText()).isEqualTo("admin:a1998e");
        assertThat(key.get("certificate_sha256").asText()).isEqualTo(fingerprint);
        assertThat(key.get("details").asText()).isEqualTo("rsa-too-short: RSA 1024 bits, minimum 2048");
        assertThat(key.get("first_seen").asText()).isEqualTo("2026-12-07T12:00:00Z");
        assertThat(key.get("count").asLong()).isEqualTo(1);
        assertThat(new ObjectMapper().readTree(new FleetReport(audit).apply(1)).get("findings"))
                .as("the limit")
                .hasSize(1);
    }

    @Test
    void a_finding_holds_the_fingerprint_never_the_certificate_or_key() throws Exception {
        final X509Certificate weak = rsa1024("CN=admin:b2");
        audit.connecting(FleetAuditConfig.DEFAULTS, "admin:b2", weak, CertificateIdentity.sha256Fingerprint(weak));

        final String report = new FleetReport(audit).apply(1000);

        assertThat(report)
                .doesNotContain(java.util.Base64.getEncoder()
                        .encodeToString(weak.getEncoded())
                        .substring(0, 40))
                .doesNotContain(((java.security.interfaces.RSAPublicKey) weak.getPublicKey())
                        .getModulus()
                        .toString(16)
                        .substring(0, 40));
    }

    @Test
    void the_audit_off_judges_nothing() throws Exception {
        final X509Certificate weak = rsa1024("CN=admin:c3");

        assertThat(audit.connecting(
                        new FleetAuditConfig(false, FleetAuditConfig.Action.REFUSE, 2048, 365), "admin:c3", weak, "fp"))
                .isNull();
        assertThat(audit.findings().open(Check.KEY_QUALITY)).isZero();
    }
}
