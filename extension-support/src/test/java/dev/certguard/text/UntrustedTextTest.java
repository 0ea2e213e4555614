package dev.certguard.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UntrustedTextTest {

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("newline forging a log line", "a\nINFO fake", "a\\u000aINFO fake"),
                Arguments.of("carriage return", "a\rb", "a\\u000db"),
                Arguments.of("NUL", "b" + (char) 0, "b\\u0000"),
                Arguments.of("quote ending a quoted field", "x'y", "x\\u0027y"),
                Arguments.of("bidi override", "a" + (char) 0x202e + "b", "a\\u202eb"),
                Arguments.of("backslash", "c\\d", "c\\u005cd"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void control_format_and_quoting_characters_are_escaped(
            final String what, final String input, final String escaped) {
        assertThat(UntrustedText.escape(input)).as(what).isEqualTo(escaped);
    }

    @Test
    void long_input_is_cut_at_80_characters_and_plain_identities_pass_unchanged() {
        assertThat(UntrustedText.escape("x".repeat(500))).hasSize(83).endsWith("...");
        assertThat(UntrustedText.escape("admin:a1998e")).isEqualTo("admin:a1998e");
    }
}
