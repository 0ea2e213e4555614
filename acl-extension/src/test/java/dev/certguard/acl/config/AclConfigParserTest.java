package dev.certguard.acl.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AclConfigParserTest {

    @TempDir
    Path dir;

    private AclConfig parse(final String xml, final Map<String, String> env) throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(file, xml);
        return AclConfigParser.parse(file, env);
    }

    @Test
    void shipped_default_configuration_has_no_services_and_no_username_listeners() throws Exception {
        final AclConfig config = AclConfigParser.parse(Path.of("src/hivemq-extension/conf/config.xml"), Map.of());

        assertThat(config.services()).isEmpty();
        assertThat(config.usernameIdentityListeners()).isEmpty();
        assertThat(config.requireClientIdEqualsIdentity()).isFalse();
        assertThat(config.fleetAudit()).isEqualTo(FleetAuditConfig.DEFAULTS);
    }

    @Test
    void fleet_audit_is_on_and_refuses_weak_keys_unless_configured_otherwise() throws Exception {
        assertThat(parse("<acl-extension/>", Map.of()).fleetAudit()).isEqualTo(FleetAuditConfig.DEFAULTS);
        assertThat(FleetAuditConfig.DEFAULTS.enabled()).isTrue();
        assertThat(FleetAuditConfig.DEFAULTS.action()).isEqualTo(FleetAuditConfig.Action.REFUSE);
        assertThat(FleetAuditConfig.DEFAULTS.minimumRsaBits()).isEqualTo(2048);

        final AclConfig config = parse(
                "<acl-extension><fleet-audit><enabled>true</enabled><action>warn</action>"
                        + "<minimum-rsa-bits>3072</minimum-rsa-bits><age-days>365</age-days></fleet-audit></acl-extension>",
                Map.of());

        assertThat(config.fleetAudit()).isEqualTo(new FleetAuditConfig(true, FleetAuditConfig.Action.WARN, 3072, 365));
    }

    @Test
    void a_bad_fleet_audit_setting_is_a_problem_never_a_default() {
        final InvalidConfigException e = catchThrowableOfType(
                InvalidConfigException.class,
                () -> parse(
                        "<acl-extension><fleet-audit><action>ignore</action><minimum-rsa-bits>512</minimum-rsa-bits>"
                                + "<takeover/></fleet-audit></acl-extension>",
                        Map.of()));

        assertThat(String.join("\n", e.problems()))
                .contains(
                        "<fleet-audit/action> must be refuse or warn, was 'ignore'",
                        "<fleet-audit/minimum-rsa-bits> must be",
                        "<fleet-audit/takeover> is not a known element");
    }

    @Test
    void services_listeners_and_placeholders_are_read() throws Exception {
        final String pin = "AB:".repeat(31) + "AB";
        final AclConfig config = parse(
                """
                <acl-extension>
                  <require-client-id-equals-identity>true</require-client-id-equals-identity>
                  <username-identity-listeners><listener>${LISTENER}</listener></username-identity-listeners>
                  <services>
                    <service><identity>v2k-bridge</identity><certificate-sha256>%s</certificate-sha256>
                      <subscribe>+/attrs</subscribe><subscribe>$share/x</subscribe></service>
                  </services>
                </acl-extension>"""
                        .formatted(pin)
                        .replace("<subscribe>$share/x</subscribe>", ""),
                Map.of("LISTENER", "plain"));

        assertThat(config.requireClientIdEqualsIdentity()).isTrue();
        assertThat(config.usernameIdentityListeners()).containsExactly("plain");
        final ServiceRule v2k = config.service("v2k-bridge");
        assertThat(v2k.certificateSha256()).isEqualTo("ab".repeat(32));
        assertThat(v2k.subscribe()).containsExactly("+/attrs");
        assertThat(v2k.publish()).isEmpty();
        assertThat(config.service("v2k"))
                .as("services are found by exact name only")
                .isNull();
    }

    @Test
    void every_problem_is_reported_with_file_and_element() {
        final InvalidConfigException e = catchThrowableOfType(
                InvalidConfigException.class,
                () -> parse(
                        """
                <acl-extension>
                  <require-client-id-equals-identity>maybe</require-client-id-equals-identity>
                  <services>
                    <service><identity>bad:name</identity><publish>a/#/b</publish></service>
                    <service><identity>idle</identity></service>
                    <service><identity>pinned</identity><certificate-sha256>xyz</certificate-sha256><subscribe>a+/b</subscribe></service>
                    <service><identity>dup</identity><publish>x</publish></service>
                    <service><identity>dup</identity><publish>y</publish></service>
                    <service><identity>sharer</identity><subscribe>$share/g/x</subscribe></service>
                  </services>
                  <unknown/>
                </acl-extension>""",
                        Map.of()));

        assertThat(e.problems()).allSatisfy(p -> assertThat(p).startsWith("acl-extension/conf/config.xml: "));
        assertThat(String.join("\n", e.problems()))
                .contains(
                        "<unknown> is not a known element",
                        "<require-client-id-equals-identity> must be true or false, was 'maybe'",
                        "<services/service/identity> 'bad:name' is not a plain service name",
                        "<services/service/publish> 'a/#/b' uses '#' other than as the whole last level",
                        "<services/service> 'idle' has neither <publish> nor <subscribe>",
                        "<services/service/certificate-sha256> of 'pinned' must be 64 hex digits",
                        "<services/service/subscribe> 'a+/b' uses '+' other than as a whole level",
                        "<services/service/identity> 'dup' is configured twice",
                        "'$share/g/x' must not be a shared subscription");
    }

    @Test
    void missing_environment_variable_is_a_problem_not_an_empty_value() {
        final InvalidConfigException e = catchThrowableOfType(
                InvalidConfigException.class,
                () -> parse(
                        """
                <acl-extension><username-identity-listeners><listener>${NOPE}</listener></username-identity-listeners></acl-extension>""",
                        Map.of()));

        assertThat(e.getMessage()).contains("${NOPE} but that environment variable is not set");
    }
}
