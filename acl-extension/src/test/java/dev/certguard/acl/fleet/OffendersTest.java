package dev.certguard.acl.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffendersTest {

    private final FleetFindingsTest.MovingClock clock = new FleetFindingsTest.MovingClock();
    private final Offenders offenders = new Offenders(clock);

    @Test
    void the_heaviest_offenders_are_listed_first_among_a_crowd_far_larger_than_the_capacity() {
        for (int round = 0; round < 50; round++) {
            for (int device = 0; device < 1000; device++) {
                offenders.offended(Offenders.Kind.CONNECT_REFUSED, "admin:crowd" + device, 1);
            }
            offenders.offended(Offenders.Kind.CONNECT_REFUSED, "admin:loud", 200);
            offenders.offended(Offenders.Kind.CONNECT_REFUSED, "admin:louder", 400);
        }

        final List<Offenders.Offender> top = offenders.top(Offenders.Kind.CONNECT_REFUSED);

        assertThat(top).hasSizeLessThanOrEqualTo(Offenders.CAPACITY);
        assertThat(top.get(0).identity()).isEqualTo("admin:louder");
        assertThat(top.get(0).count()).as("an upper bound of the true 20,000").isGreaterThanOrEqualTo(20_000);
        assertThat(top.get(1).identity()).isEqualTo("admin:loud");
        assertThat(offenders.top(Offenders.Kind.PUBLISH_DENIED))
                .as("kinds are apart")
                .isEmpty();
    }

    @Test
    void offences_older_than_about_an_hour_are_forgotten() {
        offenders.offended(Offenders.Kind.SUBSCRIBE_DENIED, "admin:old", 5);
        clock.advance(Duration.ofMinutes(40));
        offenders.offended(Offenders.Kind.SUBSCRIBE_DENIED, "admin:recent", 1);
        assertThat(offenders.top(Offenders.Kind.SUBSCRIBE_DENIED))
                .extracting(Offenders.Offender::identity)
                .containsExactly("admin:old", "admin:recent");

        clock.advance(Duration.ofMinutes(61));

        assertThat(offenders.top(Offenders.Kind.SUBSCRIBE_DENIED)).isEmpty();
    }
}
