package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import java.math.BigInteger;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

class CertificateWatchTest {

    @Test
    void watched_certificate_reports_seconds_to_expiry_and_turns_revoked_when_a_crl_lists_it() throws Exception {
        final TestCa root = TestCa.ec("CN=root");
        final java.security.cert.X509Certificate broker = new JcaX509CertificateConverter()
                .getCertificate(new JcaX509v3CertificateBuilder(
                                X500Name.getInstance(root.certificate
                                        .getSubjectX500Principal()
                                        .getEncoded()),
                                BigInteger.valueOf(4242),
                                Date.from(Instant.now().minusSeconds(60)),
                                Date.from(Instant.now().plus(Duration.ofHours(10))),
                                new X500Name("CN=broker.example.org"),
                                root.keys.getPublic())
                        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(root.keys.getPrivate())));
        final MetricRegistry registry = new MetricRegistry();
        final CertificateWatch watch = new CertificateWatch(
                Map.of("/etc/certguard/broker.pem", broker),
                Duration.ofHours(12),
                new Authorities(List.of(root.certificate), 10),
                new CrlMetrics(registry, Clock.systemUTC()),
                Clock.systemUTC());
        final String base = "dev.certguard.crl-extension.watch._etc_certguard_broker.pem.";
        final RevocationState state = new RevocationState();

        watch.check(state.snapshot());
        assertThat((Long) registry.getGauges().get(base + "seconds-to-expiry").getValue())
                .isBetween(35_900L, 36_000L);
        assertThat(registry.getGauges().get(base + "revoked").getValue()).isEqualTo(0L);

        final TestCa.Crl crl = root.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(4242)};
        state.install(new CrlVerifier(List.of(root.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.der()), "t", Instant.now()));
        watch.check(state.snapshot());

        assertThat(registry.getGauges().get(base + "revoked").getValue()).isEqualTo(1L);
    }
}
