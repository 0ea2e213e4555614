package dev.certguard.acl.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class FleetFindingsTest {

    private final MovingClock clock = new MovingClock();
    private final List<Finding> announced = new ArrayList<>();
    private final FleetFindings findings = new FleetFindings(clock, announced::add);

    @Test
    void a_device_seen_again_is_one_finding_with_a_count_and_is_announced_once() {
        assertThat(findings.record(Check.KEY_QUALITY, "admin:a1", "ab", "rsa-too-short", "RSA 1024"))
                .isTrue();
        clock.advance(Duration.ofMinutes(5));
        for (int i = 0; i < 999; i++) {
            assertThat(findings.record(Check.KEY_QUALITY, "admin:a1", "ab", "rsa-too-short", "RSA 1024"))
                    .isFalse();
        }

        assertThat(announced).hasSize(1);
        assertThat(findings.open(Check.KEY_QUALITY)).isEqualTo(1);
        final Finding finding = findings.newestFirst(10).get(0);
        assertThat(finding.count()).isEqualTo(1000);
        assertThat(finding.lastSeen()).isEqualTo(finding.firstSeen().plus(Duration.ofMinutes(5)));
    }

    @Test
    void an_expiring_certificate_seen_on_every_connect_counts_each_and_rewrites_its_time_left_once_per_refresh() {
        final AtomicInteger written = new AtomicInteger();
        final Duration refresh = Duration.ofSeconds(10);
        findings.record(
                Check.CERTIFICATE_EXPIRING, "admin:a1", "ab", null, () -> "in " + written.incrementAndGet(), refresh);
        for (int i = 0; i < 500; i++) {
            findings.record(
                    Check.CERTIFICATE_EXPIRING,
                    "admin:a1",
                    "ab",
                    null,
                    () -> "in " + written.incrementAndGet(),
                    refresh);
        }
        assertThat(written).as("written for the new finding only").hasValue(1);
        assertThat(findings.newestFirst(1).get(0).details()).isEqualTo("in 1");

        clock.advance(refresh);
        findings.record(
                Check.CERTIFICATE_EXPIRING, "admin:a1", "ab", null, () -> "in " + written.incrementAndGet(), refresh);

        final Finding finding = findings.newestFirst(1).get(0);
        assertThat(finding.count()).isEqualTo(502);
        assertThat(finding.details()).isEqualTo("in 2");
    }

    @Test
    void a_finding_not_seen_for_a_day_closes_and_counts_as_new_when_it_returns() {
        findings.record(Check.KEY_QUALITY, "admin:a1", "ab", null, "RSA 1024");
        clock.advance(FleetFindings.OPEN_FOR.plusMinutes(2));
        findings.record(Check.KEY_QUALITY, "admin:b2", "cd", null, "RSA 1024");

        assertThat(findings.open(Check.KEY_QUALITY)).as("a1 closed, b2 open").isEqualTo(1);
        assertThat(findings.record(Check.KEY_QUALITY, "admin:a1", "ab", null, "RSA 1024"))
                .isTrue();
        assertThat(announced).hasSize(3);
    }

    @Test
    void configuration_findings_close_when_a_reload_no_longer_raises_them_and_never_expire() {
        findings.record(Check.SERVICE_OVERLY_PERMISSIVE, "bridge", null, "bridge publish #", "wildcards");
        findings.record(Check.SERVICE_OVERLY_PERMISSIVE, "other", null, "other subscribe #", "wildcards");
        clock.advance(Duration.ofDays(3));
        findings.newestFirst(10);
        assertThat(findings.open(Check.SERVICE_OVERLY_PERMISSIVE)).isEqualTo(2);

        findings.retain(Check.SERVICE_OVERLY_PERMISSIVE, Set.of("other subscribe #"));

        assertThat(findings.open(Check.SERVICE_OVERLY_PERMISSIVE)).isEqualTo(1);
        assertThat(findings.newestFirst(10)).extracting(Finding::identity).containsExactly("other");
    }

    @Test
    void findings_beyond_the_bound_are_counted_as_dropped_never_stored() {
        for (int i = 0; i < FleetFindings.MAX_FINDINGS + 5; i++) {
            findings.record(Check.KEY_QUALITY, "admin:d" + i, "fp" + i, null, "RSA 1024");
        }

        assertThat(findings.open(Check.KEY_QUALITY)).isEqualTo(FleetFindings.MAX_FINDINGS);
        assertThat(findings.dropped()).isEqualTo(5);
        assertThat(findings.newestFirst(3)).hasSize(3);
    }

    @Test
    void untrusted_identity_and_details_are_escaped() {
        findings.record(Check.KEY_QUALITY, "admin:x\n{\"forged\":1}", "ab", null, "line\u202ebreak");

        final Finding finding = findings.newestFirst(1).get(0);
        assertThat(finding.identity()).doesNotContain("\n").contains("\\u000a");
        assertThat(finding.details()).doesNotContain("\u202e");
    }

    static final class MovingClock extends Clock {
        private Instant now = Instant.parse("2026-12-07T12:00:00Z");

        void advance(final Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(final java.time.ZoneId zone) {
            return this;
        }
    }
}
