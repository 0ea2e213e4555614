package dev.certguard.bench.soak;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The soak's 60 s version, in every CI run: 200 devices churning on a 10 s lifetime against the
 * packaged broker in its own process, a revocation and a deny-list entry every 10 s, the spy, a CRL
 * server answering badly 30% of the time, a 25 s outage of it that outlives the last CRL's
 * {@code nextUpdate}, and a SIGKILL restart of the broker followed by two rolled-back CRLs.
 * The long run is the same code: {@code java -jar benchmarks/target/benchmarks.jar soak}.
 */
class SoakIT {

    @Test
    void sixty_seconds_of_churn_chaos_and_a_restart_deliver_nothing_forbidden_and_miss_no_revocation()
            throws Exception {
        final SoakResult result = Soak.run(SoakOptions.parse(
                "--repo", System.getProperty("certguard.repo", ".."),
                "--out", System.getProperty("certguard.soak.out", "target/soak-ci"),
                "--devices", "200",
                "--seconds", "60",
                "--lifetime", "10",
                "--refresh", "3",
                "--crl-validity", "20",
                "--sample-every", "5",
                "--gc-every", "20",
                "--outage-at", "20",
                "--outage", "25",
                "--restart-at", "50"));
        System.out.println(result.summary());

        assertThat(result.failures()).as(result.summary()).isEmpty();
        assertThat(result.violations()).isZero();
        assertThat(result.forbiddenDeliveries()).isZero();
        assertThat(result.revokedAccepted()).isZero();
        assertThat(result.crlRevocations()).as("CRL revocations made").isGreaterThanOrEqualTo(4);
        assertThat(result.denials()).as("deny-list entries made").isGreaterThanOrEqualTo(4);
        assertThat(result.removalsNotInForce()).isZero();
        assertThat(result.spyCycles())
                .as("spy attempts that reached the SUBACK")
                .isGreaterThanOrEqualTo(30);
        assertThat(result.spyFiltersRefused()).as("forbidden filters refused").isGreaterThanOrEqualTo(30 * 13);
        assertThat(result.probesRefused())
                .as("removed certificates tried and refused")
                .isPositive();
        assertThat(result.refusedUnavailable())
                .as("CONNECTs refused once the last good CRL passed nextUpdate")
                .isPositive();
        assertThat(result.restarts()).isEqualTo(1);
        assertThat(result.connects()).as("reconnects under a 10 s lifetime").isGreaterThan(600);
        assertThat(result.drainedToZero()).isTrue();
        assertThat(result.samples()).isGreaterThanOrEqualTo(10);
    }
}
