package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.testing.SdkFakes;
import java.math.BigInteger;
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
        return connect(state, whenUnavailable, DenyList.EMPTY, leaf);
    }

    private List<String> connect(
            final RevocationState state,
            final CrlConfig.WhenUnavailable whenUnavailable,
            final DenyList deny,
            final X509Certificate leaf) {
        final CrlRuntime runtime = CrlRuntimes.of(List.of(CA.certificate), whenUnavailable, deny);
        final RevocationAuthenticator authenticator = new RevocationAuthenticator(
                state,
                new CrlMetrics(registry, Clock.systemUTC()),
                () -> runtime,
                Clock.systemUTC(),
                new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()));
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

    @Test
    void a_denied_fingerprint_or_identity_is_refused_with_0x87_before_any_revocation_check() throws Exception {
        final DenyList byFingerprint = DenyList.parse(
                List.of(
                        "# compromised",
                        "sha256:" + CertificateIdentity.sha256Fingerprint(GOOD).toUpperCase()),
                "deny");
        final DenyList byIdentity = DenyList.parse(List.of("identity:admin:d10   # all its certificates"), "deny");

        assertThat(connect(loaded(), CrlConfig.WhenUnavailable.REJECT, byFingerprint, GOOD))
                .containsExactly("failAuthentication(NOT_AUTHORIZED, certificate denied by operator)");
        assertThat(connect(new RevocationState(), CrlConfig.WhenUnavailable.REJECT, byIdentity, GOOD))
                .as("denied even while the revocation status is unavailable")
                .containsExactly("failAuthentication(NOT_AUTHORIZED, certificate denied by operator)");
        assertThat(connect(loaded(), CrlConfig.WhenUnavailable.REJECT, byIdentity, device(CA, 12)))
                .containsExactly("nextExtensionOrDefault");
        assertThat(registry.counter("dev.certguard.crl-extension.connect.rejected.denied")
                        .getCount())
                .isEqualTo(2);
    }
}
