package dev.certguard.crl.deny;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.certguard.config.InvalidConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DenyListTest {

    private static final String HEX = "4f1a" + "00".repeat(28) + "beef";

    @Test
    void fingerprints_in_any_case_with_or_without_colons_comments_and_blank_lines_parse() throws Exception {
        final StringBuilder colons = new StringBuilder();
        for (int i = 0; i < HEX.length(); i += 2) {
            colons.append(i == 0 ? "" : ":").append(HEX, i, i + 2);
        }
        final DenyList list = DenyList.parse(
                List.of(
                        "# denied by the operator",
                        "",
                        "sha256:" + colons.toString().toUpperCase() + "   # lost device",
                        "SHA256:" + HEX,
                        "  identity:admin:a1998e  ",
                        "identity:v2k-bridge # a service"),
                "deny-list.txt");

        assertThat(list.size())
                .as("the two fingerprint lines are one certificate")
                .isEqualTo(3);
    }

    @Test
    void every_line_that_does_not_parse_is_reported_with_its_number_and_nothing_is_accepted() {
        final InvalidConfigException e = catchThrowableOfType(
                InvalidConfigException.class,
                () -> DenyList.parse(
                        List.of(
                                "identity:admin:ok",
                                "sha256:12ab",
                                "admin:a1998e",
                                "identity:",
                                "identity:adm\u0000in:x",
                                "identity:a/b:c"),
                        "deny-list.txt"));

        assertThat(e.problems())
                .hasSize(5)
                .anySatisfy(p -> assertThat(p).startsWith("deny-list.txt: line 2: fingerprint"))
                .anySatisfy(p -> assertThat(p).startsWith("deny-list.txt: line 3: 'admin:a1998e' is neither"))
                .anySatisfy(p -> assertThat(p).startsWith("deny-list.txt: line 4: identity '' is empty"))
                .anySatisfy(p -> assertThat(p).startsWith("deny-list.txt: line 5: identity 'adm\\u0000in:x'"))
                .anySatisfy(p -> assertThat(p).startsWith("deny-list.txt: line 6:"));
    }

    @Test
    void a_missing_or_non_utf8_file_is_an_error(@TempDir final Path dir) throws Exception {
        assertThat(catchThrowableOfType(
                                InvalidConfigException.class, () -> DenyList.read(dir.resolve("none.txt"), "none.txt"))
                        .problems())
                .containsExactly("none.txt: does not exist (" + dir.resolve("none.txt") + ")");
        final Path binary = dir.resolve("binary.txt");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 'x'});
        assertThat(catchThrowableOfType(InvalidConfigException.class, () -> DenyList.read(binary, "binary.txt"))
                        .problems())
                .containsExactly("binary.txt: is not UTF-8 text");
    }
}
