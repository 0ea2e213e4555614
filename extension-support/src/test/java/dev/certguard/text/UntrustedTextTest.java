package dev.certguard.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.Stream;
import javax.security.auth.x500.X500Principal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class UntrustedTextTest {

    static Stream<Arguments> hostile() {
        return Stream.of(
                Arguments.of("newline forging a log line", "a\nINFO fake", "a\\u000aINFO fake"),
                Arguments.of("carriage return", "a\rb", "a\\u000db"),
                Arguments.of("ANSI escape", "\u001b[31mred", "\\u001b[31mred"),
                Arguments.of("NUL", "b" + (char) 0, "b\\u0000"),
                Arguments.of("DEL", "b\u007f", "b\\u007f"),
                Arguments.of("C1 next line", "a\u0085b", "a\\u0085b"),
                Arguments.of("C1 control sequence introducer", "a\u009b31m", "a\\u009b31m"),
                Arguments.of("line separator", "a\u2028b", "a\\u2028b"),
                Arguments.of("paragraph separator", "a\u2029b", "a\\u2029b"),
                Arguments.of("zero-width space", "a\u200bb", "a\\u200bb"),
                Arguments.of("quote ending a quoted field", "x'y", "x\\u0027y"),
                Arguments.of("bidi override", "a" + (char) 0x202e + "b", "a\\u202eb"),
                Arguments.of("lone surrogate", "a\ud800b", "a\\ud800b"),
                Arguments.of("backslash", "c\\d", "c\\u005cd"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void control_format_and_quoting_characters_are_escaped(
            final String what, final String input, final String escaped) {
        assertThat(UntrustedText.escape(input)).as(what).isEqualTo(escaped);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostile")
    void neutralised_log_arguments_hold_no_unsafe_character(
            final String what, final String input, final String escaped) {
        final String out = UntrustedText.neutralise(input, 1000);
        assertThat(out.chars().noneMatch(c -> UntrustedText.unsafe((char) c)))
                .as(what + ": " + out)
                .isTrue();
    }

    @Test
    void long_input_is_cut_at_200_characters_and_says_how_long_it_was() {
        assertThat(UntrustedText.escape("x".repeat(1_048_576))).isEqualTo("x".repeat(200) + "...(1048576 chars)");
        assertThat(UntrustedText.escape("x".repeat(200))).isEqualTo("x".repeat(200));
        assertThat(UntrustedText.escape("\n".repeat(1000))).hasSizeLessThan(200 + 6 + 20);
    }

    @Test
    void plain_identities_and_printable_unicode_pass_unchanged() {
        assertThat(UntrustedText.escape("admin:a1998e")).isEqualTo("admin:a1998e");
        assertThat(UntrustedText.escape("Zürich:Gerät-1")).isEqualTo("Zürich:Gerät-1");
    }

    @Test
    void neutralising_keeps_already_escaped_text_unchanged() {
        final String escaped = UntrustedText.escape("a\nb'c\\d");
        assertThat(UntrustedText.neutralise(escaped, 1000)).isEqualTo(escaped);
        assertThat(UntrustedText.neutralise(null, 1000)).isEqualTo("null");
        assertThat(UntrustedText.neutralise("y".repeat(5000), 1000)).isEqualTo("y".repeat(1000) + "...(5000 chars)");
    }

    @Test
    void names_are_rendered_with_their_control_characters_escaped() {
        final X500Principal name = new X500Principal("CN=evil\nWARN forged,O=x");
        assertThat(name.getName()).contains("\n");
        assertThat(UntrustedText.name(name)).isEqualTo("CN=evil\\u000aWARN forged,O=x");
        assertThat(UntrustedText.name(null)).isEqualTo("-");
    }
}
