package dev.certguard.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.certguard.text.UntrustedText;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceIdentityTest {

    @Test
    void seed_identity_yields_its_attrs_and_config_topics() throws Exception {
        final DeviceIdentity identity = DeviceIdentity.parse("admin:a1998e");

        assertThat(identity.tenant()).isEqualTo("admin");
        assertThat(identity.deviceId()).isEqualTo("a1998e");
        assertThat(identity.attrsTopic()).isEqualTo("admin:a1998e/attrs");
        assertThat(identity.configTopic()).isEqualTo("admin:a1998e/config");
    }

    @ParameterizedTest
    @ValueSource(strings = {"t:d", "tenant-1:dev_2.a", "ünïcode:gerät", "a:" + "b" + "0123456789"})
    void ordinary_identities_are_accepted(final String value) throws Exception {
        assertThat(DeviceIdentity.parse(value).toString()).isEqualTo(value);
    }

    static Stream<Arguments> hostileIdentities() {
        return Stream.of(
                Arguments.of("", "not of the form"),
                Arguments.of("admin", "not of the form"),
                Arguments.of("admin:a1998e:x", "more than one ':'"),
                Arguments.of(":a1998e", "tenant is empty"),
                Arguments.of("admin:", "device id is empty"),
                Arguments.of("admin:#", "'#'"),
                Arguments.of("admin:+", "'+'"),
                Arguments.of("+:a1998e", "'+'"),
                Arguments.of("admin:a1998e/attrs", "'/'"),
                Arguments.of("admin/x:a1998e", "'/'"),
                Arguments.of("$SYS:a1998e", "'$'"),
                Arguments.of("admin:a\u0000b", "NUL"),
                Arguments.of("admin:a\nb", "control character"),
                Arguments.of("admin:a\u007fb", "control character"),
                Arguments.of("admin:a b", "whitespace"),
                Arguments.of("admin:a\u00a0b", "whitespace"),
                Arguments.of("admin:a\u2028b", "whitespace"),
                Arguments.of("admin:a\u200bb", "format character"),
                Arguments.of("admin:a\u202eb", "format character"),
                Arguments.of("admin:a\ud800b", "unpaired surrogate"),
                Arguments.of("admin:a\ufffdb", "not UTF-8"),
                Arguments.of("admin:a\ue000b", "private-use"),
                Arguments.of("admin:" + "x".repeat(IdentityCharacters.MAX_IDENTITY_BYTES), "bytes long"),
                Arguments.of("admin:" + "ä".repeat(62), "bytes long"));
    }

    @ParameterizedTest(name = "[{index}] {1}")
    @MethodSource("hostileIdentities")
    void hostile_identities_are_rejected_with_a_reason(final String value, final String expectedReason) {
        final InvalidIdentityException e =
                catchThrowableOfType(InvalidIdentityException.class, () -> DeviceIdentity.parse(value));

        assertThat(e)
                .as("identity %s must be rejected", UntrustedText.escape(value))
                .isNotNull();
        assertThat(e.reason()).as("reason for %s", UntrustedText.escape(value)).contains(expectedReason);
    }

    @Test
    void identity_at_the_length_bound_is_accepted() throws Exception {
        final String value = "t:" + "d".repeat(IdentityCharacters.MAX_IDENTITY_BYTES - 2);

        assertThat(DeviceIdentity.parse(value).deviceId()).hasSize(IdentityCharacters.MAX_IDENTITY_BYTES - 2);
    }

    @Test
    void service_names_follow_the_same_character_rules() {
        assertThatThrownBy(() -> IdentityCharacters.checkPart("service", "v2k:bridge"))
                .isInstanceOf(InvalidIdentityException.class)
                .hasMessageContaining("':'");
    }
}
