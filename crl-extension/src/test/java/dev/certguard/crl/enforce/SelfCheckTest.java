package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.crl.deny.DenyList;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fleet audit's self-check revoked-still-connected: it finds a connection the state in force
 * excludes only when no sweep has cut it (a defect), never one whose cut is under way.
 */
class SelfCheckTest extends LiveRevocationFixture {

    private final java.util.concurrent.atomic.AtomicInteger repairs = new java.util.concurrent.atomic.AtomicInteger();
    private final SelfCheck check = new SelfCheck(
            live,
            repairs::incrementAndGet,
            new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()),
            registry,
            Clock.systemUTC());

    private void denyWithoutSweep(final String line) {
        runtime.updateAndGet(current -> {
            try {
                return current.withDenyList(DenyList.parse(List.of(line), "deny-list.txt"));
            } catch (final Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private long gauge() {
        return ((Number) registry.getGauges()
                        .get("dev.certguard.audit.findings.revoked-still-connected")
                        .getValue())
                .longValue();
    }

    @Test
    void a_denied_connection_no_sweep_cut_is_found_at_the_second_check_and_a_sweep_is_queued() {
        connect("admin:a1998e", device("admin:a1998e", 1));
        connect("admin:other", device("admin:other", 2));
        assertThat(gauge()).as("registered at start").isZero();

        denyWithoutSweep("identity:admin:a1998e");
        check.run();
        assertThat(gauge()).as("one check: a sweep may be on its way").isZero();
        check.run();

        assertThat(gauge()).isEqualTo(1);
        assertThat(repairs).hasValue(1);
    }

    @SuppressWarnings("unchecked")
    private List<java.util.Map<String, Object>> listed() {
        return (List<java.util.Map<String, Object>>) registry.getGauges()
                .get("dev.certguard.audit.findings-list.revoked-still-connected")
                .getValue();
    }

    @Test
    void the_report_lists_each_connection_found_with_its_identity_fingerprint_and_checks_in_a_row() {
        final X509Certificate leaf = device("admin:a1998e", 4);
        connect("admin:a1998e", leaf);
        assertThat(listed()).isEmpty();
        denyWithoutSweep("identity:admin:a1998e");
        check.run();
        check.run();
        final Object first = listed().get(0).get("first_seen");

        check.run();

        assertThat(listed()).singleElement().satisfies(finding -> {
            assertThat(finding.get("check")).isEqualTo("revoked-still-connected");
            assertThat(finding.get("identity")).isEqualTo("admin:a1998e");
            assertThat(finding.get("certificate_sha256"))
                    .isEqualTo(dev.certguard.identity.CertificateIdentity.sha256Fingerprint(leaf));
            assertThat(finding.get("first_seen")).as("kept while found again").isEqualTo(first);
            assertThat(finding.get("count")).isEqualTo(2L);
            assertThat((String) finding.get("details")).contains("client id 'admin:a1998e'");
        });
    }

    @Test
    void a_connection_whose_cut_is_under_way_is_never_counted() {
        connect("admin:a1998e", device("admin:a1998e", 3));
        denyWithoutSweep("identity:admin:a1998e");
        live.sweep();

        check.run();
        check.run();

        assertThat(hivemq.disconnects()).hasSize(1);
        assertThat(gauge()).isZero();
        assertThat(repairs).hasValue(0);
    }
}
