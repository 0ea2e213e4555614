package dev.certguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

class AuditTimeTest {

    private final AuditTime time = new AuditTime();

    @Property(tries = 5000)
    void an_audit_line_is_stamped_as_the_jdk_writes_the_instant(
            @ForAll @LongRange(min = -62167219300L, max = 253402300900L) final long second,
            @ForAll @IntRange(min = 0, max = 999_999_999) final int nano,
            @ForAll @IntRange(min = 0, max = 3) final int precision) {
        // Clocks give whole milli- or microseconds, sometimes whole seconds; all four shapes are written.
        final int rounded = precision == 0
                ? 0
                : precision == 1 ? nano / 1_000_000 * 1_000_000 : precision == 2 ? nano / 1000 * 1000 : nano;
        final Instant instant = Instant.ofEpochSecond(second, rounded);
        assertThat(time.format(instant)).isEqualTo(instant.toString());
        // and again within the same second, from the reused text
        final Instant later = Instant.ofEpochSecond(second, (rounded + 1000) % 1_000_000_000);
        assertThat(time.format(later)).isEqualTo(later.toString());
    }

    @Test
    void the_edges_of_the_written_range_and_beyond_match_the_jdk() {
        for (final Instant instant : new Instant[] {
            Instant.parse("0000-01-01T00:00:00Z"),
            Instant.parse("9999-12-31T23:59:59.999999999Z"),
            Instant.parse("1969-12-31T23:59:59.5Z"),
            Instant.ofEpochSecond(-62167219201L),
            Instant.ofEpochSecond(253402300800L, 1),
            Instant.MIN,
            Instant.MAX,
            Instant.EPOCH
        }) {
            assertThat(time.format(instant)).isEqualTo(instant.toString());
        }
    }
}
