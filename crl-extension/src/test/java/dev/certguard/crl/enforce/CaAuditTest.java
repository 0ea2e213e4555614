package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.audit.Audit;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.TestCertificates;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

class CaAuditTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final CaAudit audit =
            new CaAudit(registry, new Audit("crl-extension", Clock.systemUTC()), Clock.systemUTC());

    private long gauge(final String name) {
        return ((Number) registry.getGauges().get("dev.certguard.audit." + name).getValue()).longValue();
    }

    private static X509Certificate rsa1024Ca() throws Exception {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(1024);
        final KeyPair keys = generator.generateKeyPair();
        return TestCertificates.certificate("CN=weak ca", keys.getPublic(), keys.getPrivate(), "SHA256withRSA");
    }

    @SuppressWarnings("unchecked")
    private List<java.util.Map<String, Object>> listed() {
        return (List<java.util.Map<String, Object>>) registry.getGauges()
                .get("dev.certguard.audit.findings-list.ca-key-quality")
                .getValue();
    }

    @Test
    void a_weak_ca_is_a_finding_and_a_sound_one_is_not() throws Exception {
        audit.judge(List.of(TestCa.ec("CN=sound ca").certificate, rsa1024Ca()));

        assertThat(audit.weak()).isEqualTo(1);
        assertThat(gauge("findings.ca-key-quality")).isEqualTo(1);
        assertThat(listed()).singleElement().satisfies(finding -> {
            assertThat(finding.get("check")).isEqualTo("ca-key-quality");
            assertThat(finding.get("severity")).isEqualTo("high");
            assertThat(finding.get("identity")).isEqualTo("CN=weak ca");
            assertThat((String) finding.get("details")).contains("RSA", "1024");
        });

        audit.judge(List.of(TestCa.ec("CN=sound ca").certificate));

        assertThat(gauge("findings.ca-key-quality"))
                .as("a reload that replaced it closes it")
                .isZero();
        assertThat(listed()).isEmpty();
    }

    @Test
    void every_ca_has_its_days_to_expiry_and_the_soonest_is_apart() throws Exception {
        final X509Certificate inAnHour = rsa1024Ca();
        final X509Certificate sound = TestCa.ec("CN=sound ca").certificate;
        audit.judge(List.of(sound, inAnHour));

        assertThat(gauge("ca.weak_ca.days-to-expiry")).isZero();
        assertThat(gauge("ca.soonest-days-to-expiry")).isZero();
        assertThat(gauge("ca.sound_ca.days-to-expiry"))
                .isEqualTo(java.time.Duration.between(
                                java.time.Instant.now(), sound.getNotAfter().toInstant())
                        .toDays());

        audit.judge(List.of(TestCa.ec("CN=sound ca").certificate));

        assertThat(registry.getGauges()).doesNotContainKey("dev.certguard.audit.ca.weak_ca.days-to-expiry");
    }
}
