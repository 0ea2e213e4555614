package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.crl.verify.VerifiedCrl;
import java.math.BigInteger;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrlHighWaterMarksTest {

    private static final TestCa CA = TestCa.ec("CN=IOTmidCA");

    private static VerifiedCrl crl(final long number) throws Exception {
        final TestCa.Crl crl = CA.crl();
        crl.number = BigInteger.valueOf(number);
        return new CrlVerifier(List.of(CA.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(crl.der()), "test", Instant.now());
    }

    @Test
    void replayed_older_crl_is_refused_after_a_restart(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("data/crl-high-water-marks.properties");
        final RevocationState before = new RevocationState(CrlHighWaterMarks.load(file));
        final VerifiedCrl seven = crl(7);
        before.install(seven);

        final RevocationState afterRestart = new RevocationState(CrlHighWaterMarks.load(file));

        assertThatThrownBy(() -> afterRestart.install(crl(6)))
                .isInstanceOf(RevocationState.RollbackException.class)
                .hasMessageContaining("recorded across restarts");
        assertThatThrownBy(() -> afterRestart.install(crl(7)))
                .as("another CRL with the number of the last one used")
                .isInstanceOf(RevocationState.RollbackException.class)
                .hasMessageContaining("CRL number 7 is that of the CRL this broker last used");
        assertThat(afterRestart.install(seven)).as("the same CRL again is fine").isTrue();
        assertThat(afterRestart.install(crl(8))).isTrue();
        assertThatThrownBy(() -> new RevocationState(CrlHighWaterMarks.load(file)).install(seven))
                .isInstanceOf(RevocationState.RollbackException.class);
    }

    @Test
    void marks_written_before_the_digest_was_recorded_still_order_crls(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("marks.properties");
        new RevocationState(CrlHighWaterMarks.load(file)).install(crl(7));
        final String written = java.nio.file.Files.readString(file);
        java.nio.file.Files.writeString(file, written.replaceAll(";[0-9a-f]{64}", ";"));

        final RevocationState afterRestart = new RevocationState(CrlHighWaterMarks.load(file));

        assertThatThrownBy(() -> afterRestart.install(crl(6))).isInstanceOf(RevocationState.RollbackException.class);
        assertThat(afterRestart.install(crl(7))).isTrue();
    }

    @Test
    void ca_re_created_under_the_same_name_starts_a_fresh_mark(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("marks.properties");
        new RevocationState(CrlHighWaterMarks.load(file)).install(crl(50));
        final TestCa recreated = TestCa.ec("CN=IOTmidCA");
        final TestCa.Crl first = recreated.crl();

        final VerifiedCrl fresh = new CrlVerifier(List.of(recreated.certificate), Duration.ZERO)
                .verify(ParsedCrl.parse(first.der()), "t", Instant.now());

        assertThat(new RevocationState(CrlHighWaterMarks.load(file)).install(fresh))
                .isTrue();
    }

    @Test
    void unreadable_file_starts_empty_instead_of_failing(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("marks.properties");
        java.nio.file.Files.writeString(file, "garbage=not-a-mark\n");

        assertThat(new RevocationState(CrlHighWaterMarks.load(file)).install(crl(1)))
                .isTrue();
    }

    @Test
    void the_same_crl_again_writes_nothing(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("marks.properties");
        final RevocationState state = new RevocationState(CrlHighWaterMarks.load(file));
        final VerifiedCrl seven = crl(7);
        state.install(seven);
        java.nio.file.Files.delete(file);

        state.install(seven);
        assertThat(file)
                .as("a restored copy or a source serving its CRL twice rewrites no marks")
                .doesNotExist();
        state.install(crl(8));
        assertThat(file).exists();
    }

    @Test
    void raises_while_a_write_is_queued_share_it(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("marks.properties");
        final java.util.List<Runnable> writes = new java.util.ArrayList<>();
        final RevocationState state = new RevocationState(CrlHighWaterMarks.load(file, writes::add));

        state.install(crl(7));
        state.install(crl(8));
        assertThat(writes).as("one write for both").hasSize(1);
        assertThat(file).doesNotExist();
        writes.get(0).run();

        assertThatThrownBy(() -> new RevocationState(CrlHighWaterMarks.load(file)).install(crl(7)))
                .as("the file holds the newest mark")
                .isInstanceOf(RevocationState.RollbackException.class);
        state.install(crl(9));
        assertThat(writes).as("a raise after the write queues the next one").hasSize(2);
    }
}
