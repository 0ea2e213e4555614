package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.SdkFakes;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RevocationAuthenticatorTest {

    private static final TestCa CA = TestCa.ec("CN=device CA");
    private static final TestCa UNCONFIGURED = TestCa.ec("CN=device CA");
    private static final X509Certificate GOOD = device(CA, 10);
    private static final X509Certificate REVOKED = device(CA, 11);

    private final MetricRegistry registry = new MetricRegistry();

    private static X509Certificate device(final TestCa ca, final long serial) {
        return TestCa.issue(
                ca.certificate,
                ca.keys,
                "CN=admin:d" + serial,
                TestCa.ec("CN=k").keys.getPublic(),
                serial,
                false);
    }

    private static CrlConfig config(final CrlConfig.WhenUnavailable whenUnavailable) {
        return new CrlConfig(
                List.of(CA.certificate),
                List.of(Path.of("crl.der")),
                List.of(),
                Duration.ofMinutes(5),
                Duration.ofSeconds(5),
                1 << 20,
                whenUnavailable,
                Duration.ZERO,
                true,
                Map.of(),
                Duration.ofHours(12));
    }

    private static RevocationState loaded() throws Exception {
        final RevocationState state = new RevocationState();
        final TestCa.Crl crl = CA.crl();
        crl.revoked = new BigInteger[] {BigInteger.valueOf(11)};
        state.install(new CrlVerifier(List.of(CA.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.der()), "crl.der", Instant.now()));
        return state;
    }

    private List<String> connect(
            final RevocationState state, final CrlConfig.WhenUnavailable whenUnavailable, final X509Certificate leaf) {
        final RevocationAuthenticator authenticator = new RevocationAuthenticator(
                state,
                new CrlMetrics(registry, Clock.systemUTC()),
                config(whenUnavailable),
                new Authorities(List.of(CA.certificate), 100),
                Clock.systemUTC());
        final List<String> calls = new ArrayList<>();
        final SimpleAuthInput input = SdkFakes.fake(
                SimpleAuthInput.class,
                Map.of(
                        "getConnectPacket", SdkFakes.connect("c1", null),
                        "getConnectionInformation",
                                SdkFakes.connection("tls", leaf == null ? null : new X509Certificate[] {leaf})));
        authenticator.onConnect(input, SdkFakes.recorder(SimpleAuthOutput.class, Map.of(), calls));
        return calls;
    }

    @Test
    void good_certificate_is_passed_on_to_the_next_extension() throws Exception {
        assertThat(connect(loaded(), CrlConfig.WhenUnavailable.REJECT, GOOD)).containsExactly("nextExtensionOrDefault");
    }

    @Test
    void revoked_certificate_is_refused_with_0x87_and_the_reason() throws Exception {
        assertThat(connect(loaded(), CrlConfig.WhenUnavailable.ALLOW, REVOKED))
                .containsExactly("failAuthentication(NOT_AUTHORIZED, certificate revoked)");
        assertThat(registry.counter("dev.certguard.crl-extension.connect.rejected.revoked")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void missing_crl_refuses_with_0x88_or_passes_on_as_configured() {
        assertThat(connect(new RevocationState(), CrlConfig.WhenUnavailable.REJECT, GOOD))
                .containsExactly("failAuthentication(SERVER_UNAVAILABLE, certificate revocation status unavailable)");
        assertThat(connect(new RevocationState(), CrlConfig.WhenUnavailable.ALLOW, GOOD))
                .containsExactly("nextExtensionOrDefault");
    }

    @Test
    void certificate_of_an_unconfigured_ca_with_a_configured_name_is_refused_even_when_unavailable_means_allow()
            throws Exception {
        assertThat(connect(loaded(), CrlConfig.WhenUnavailable.ALLOW, device(UNCONFIGURED, 10)))
                .containsExactly("failAuthentication(NOT_AUTHORIZED, certificate issuer unknown)");
    }

    @Test
    void connection_without_a_certificate_is_left_to_the_next_extension() throws Exception {
        assertThat(connect(loaded(), CrlConfig.WhenUnavailable.REJECT, null)).containsExactly("nextExtensionOrDefault");
    }
}
