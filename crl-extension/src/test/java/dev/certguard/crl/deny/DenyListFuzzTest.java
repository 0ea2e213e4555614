package dev.certguard.crl.deny;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.text.UntrustedText;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The deny list file reader against any file contents (an edit gone wrong, a file cut short, bytes
 * that are not UTF-8, lines pasted from anywhere): a deny list, or an {@link InvalidConfigException}
 * whose every problem is safe to log (no control character, line separator or bidi override of the
 * file's reaches it raw), never another exception, so a bad edit keeps the list in force. Seeds: a
 * list of every kind of line, hostile lines, and bytes that are not UTF-8.
 */
class DenyListFuzzTest {

    private static final Path FILE = file();

    private static Path file() {
        try {
            final Path dir = Files.createTempDirectory("deny-list-fuzz");
            dir.toFile().deleteOnExit();
            return dir.resolve("deny-list.txt");
        } catch (final java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void any_file_is_a_deny_list_or_problems_safe_to_log(final byte[] contents) throws Exception {
        Files.write(FILE, contents);
        try {
            final DenyList list = DenyList.read(FILE, "deny-list.txt");
            final long entries = new String(contents, StandardCharsets.UTF_8)
                    .lines()
                    .map(line -> line.contains("#") ? line.substring(0, line.indexOf('#')) : line)
                    .filter(line -> !line.isBlank())
                    .count();
            assertThat(list.size())
                    .as("at most one entry per line that is not blank")
                    .isLessThanOrEqualTo((int) entries);
            assertThat(list.isEmpty()).isEqualTo(list.size() == 0);
        } catch (final InvalidConfigException refused) {
            assertThat(refused.problems()).isNotEmpty().allSatisfy(problem -> {
                assertThat(problem).isNotBlank().startsWith("deny-list.txt: ");
                assertThat(problem.chars().noneMatch(c -> UntrustedText.unsafe((char) c)))
                        .as("problem safe to log: %s", problem)
                        .isTrue();
            });
        }
    }
}
