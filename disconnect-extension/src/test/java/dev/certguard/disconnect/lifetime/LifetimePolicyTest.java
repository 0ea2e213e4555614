package dev.certguard.disconnect.lifetime;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.connection.Connection;
import dev.certguard.disconnect.config.DisconnectConfig;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LifetimePolicyTest {

    private static final Instant NOW = Instant.parse("2026-11-22T10:00:00Z");
    private static final X509Certificate LONG_LIVED =
            TestCertificates.expiringAt("CN=admin:a1998e", NOW.plus(Duration.ofDays(365)));

    private static DisconnectConfig config(
            final long lifetimeSeconds, final int jitter, final boolean expiry, final String... exempt) {
        return new DisconnectConfig(Duration.ofSeconds(lifetimeSeconds), jitter, expiry, false, Set.of(exempt));
    }

    @Test
    void lifetime_without_jitter_ends_exactly_after_the_configured_seconds() {
        final Deadline deadline = new LifetimePolicy(config(1800, 0, true), bound -> 0)
                .deadline(NOW, new Connection("c", new X509Certificate[] {LONG_LIVED}));

        assertThat(deadline.at()).isEqualTo(NOW.plusSeconds(1800));
        assertThat(deadline.limit()).isEqualTo(Deadline.Limit.LIFETIME);
        assertThat(deadline.reason()).contains("maximum connection lifetime of 1800 s");
    }

    @Test
    void jitter_only_shortens_the_lifetime_and_by_at_most_the_configured_percent() {
        final LifetimePolicy smallest = new LifetimePolicy(config(1000, 10, true), bound -> 0);
        final LifetimePolicy largest = new LifetimePolicy(config(1000, 10, true), bound -> bound - 1);

        assertThat(smallest.deadline(NOW, new Connection("c", new X509Certificate[] {LONG_LIVED}))
                        .at())
                .isEqualTo(NOW.plusSeconds(1000));
        assertThat(largest.deadline(NOW, new Connection("c", new X509Certificate[] {LONG_LIVED}))
                        .at())
                .isEqualTo(NOW.plusSeconds(900));
    }

    @Test
    void jitter_with_a_real_random_source_spreads_deadlines_within_bounds() {
        final LifetimePolicy policy =
                new LifetimePolicy(config(1000, 20, true), bound -> java.util.concurrent.ThreadLocalRandom.current()
                        .nextLong(bound));
        final java.util.Set<Instant> seen = new java.util.HashSet<>();
        for (int i = 0; i < 1000; i++) {
            final Instant at = policy.deadline(NOW, new Connection("c", new X509Certificate[] {LONG_LIVED}))
                    .at();
            assertThat(at).isBetween(NOW.plusSeconds(800), NOW.plusSeconds(1000));
            seen.add(at);
        }
        assertThat(seen).as("distinct deadlines out of 1000").hasSizeGreaterThan(900);
    }

    @Test
    void certificate_expiring_before_the_lifetime_decides_the_deadline() {
        final X509Certificate soon = TestCertificates.expiringAt("CN=admin:a1998e", NOW.plusSeconds(60));

        final Deadline deadline = new LifetimePolicy(config(1800, 10, true), bound -> 0)
                .deadline(NOW, new Connection("c", new X509Certificate[] {soon}));

        assertThat(deadline.at()).isEqualTo(NOW.plusSeconds(60));
        assertThat(deadline.limit()).isEqualTo(Deadline.Limit.CERTIFICATE_EXPIRY);
        assertThat(deadline.reason()).startsWith("client certificate expires at");
    }

    @Test
    void intermediate_expiring_first_decides_the_deadline() {
        final X509Certificate intermediate = TestCertificates.expiringAt("CN=IOTmidCA", NOW.plusSeconds(30));

        final Deadline deadline = new LifetimePolicy(config(1800, 0, true), bound -> 0)
                .deadline(NOW, new Connection("c", new X509Certificate[] {LONG_LIVED, intermediate}));

        assertThat(deadline.at()).isEqualTo(NOW.plusSeconds(30));
        assertThat(deadline.reason()).contains("intermediate CA certificate 'CN=IOTmidCA'");
    }

    @Test
    void exempt_identity_has_no_lifetime_but_still_ends_at_certificate_expiry() {
        final LifetimePolicy policy = new LifetimePolicy(config(60, 0, true, "v2k-bridge"), bound -> 0);

        final X509Certificate bridge = TestCertificates.expiringAt(
                "CN=v2k-bridge", LONG_LIVED.getNotAfter().toInstant());
        final X509Certificate other = TestCertificates.expiringAt(
                "CN=v2k-bridge-2", LONG_LIVED.getNotAfter().toInstant());
        final Deadline deadline = policy.deadline(NOW, new Connection("c", new X509Certificate[] {bridge}));

        assertThat(deadline.limit()).isEqualTo(Deadline.Limit.CERTIFICATE_EXPIRY);
        assertThat(deadline.at()).isEqualTo(bridge.getNotAfter().toInstant());
        assertThat(policy.deadline(NOW, new Connection("c", new X509Certificate[] {other}))
                        .limit())
                .as("exemption is by exact identity")
                .isEqualTo(Deadline.Limit.LIFETIME);
    }

    @Test
    void lifetime_zero_and_expiry_off_means_no_deadline() {
        assertThat(new LifetimePolicy(config(0, 10, false), bound -> 0)
                        .deadline(NOW, new Connection("c", new X509Certificate[] {LONG_LIVED})))
                .isNull();
        assertThat(new LifetimePolicy(config(0, 10, true), bound -> 0)
                        .deadline(NOW, new Connection("c", new X509Certificate[] {LONG_LIVED}))
                        .limit())
                .isEqualTo(Deadline.Limit.CERTIFICATE_EXPIRY);
    }
}
