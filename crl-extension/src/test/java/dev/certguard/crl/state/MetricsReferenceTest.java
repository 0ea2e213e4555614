package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.crl.ocsp.OcspAnswer;
import dev.certguard.crl.ocsp.OcspFailure;
import dev.certguard.reload.ConfigReload;
import dev.certguard.status.ExtensionStatus;
import dev.certguard.testing.reference.MetricChecks;
import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every metric crl-extension registers is defined, and the reference page lists exactly the definitions. */
class MetricsReferenceTest {

    private static final Path PAGE = Path.of("..", "docs", "reference", "crl-extension.md");
    /** What crl-extension registers under the fleet audit's prefix. */
    private static final List<dev.certguard.metrics.MetricDefinition> AUDIT_DEFINITIONS =
            java.util.stream.Stream.concat(
                            dev.certguard.crl.enforce.SelfCheck.DEFINITIONS.stream(),
                            dev.certguard.crl.enforce.CaAudit.DEFINITIONS.stream())
                    .toList();

    @Test
    void the_self_check_and_the_ca_checks_register_exactly_their_fleet_audit_metrics() {
        final MetricRegistry registry = new MetricRegistry();

        final dev.certguard.audit.Audit audit = new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC());
        new dev.certguard.crl.enforce.SelfCheck(null, () -> {}, audit, registry, Clock.systemUTC());
        new dev.certguard.crl.enforce.CaAudit(registry, audit, Clock.systemUTC())
                .judge(List.of(dev.certguard.crl.verify.TestCa.ec("CN=audited ca").certificate));

        MetricChecks.assertRegisteredExactlyTheDefinitions(
                registry, dev.certguard.crl.enforce.SelfCheck.ID, AUDIT_DEFINITIONS);
    }

    @Test
    void the_reference_page_lists_the_self_checks_metric() throws Exception {
        ReferenceFiles.assertRegion(
                PAGE,
                "audit-metrics",
                ReferenceGenerator.metricsTable(dev.certguard.crl.enforce.SelfCheck.ID, AUDIT_DEFINITIONS));
    }

    @Test
    void every_counter_and_timer_of_a_fixed_name_exists_at_zero_from_the_start_ocsp_on_or_off() {
        final MetricRegistry registry = new MetricRegistry();

        new CrlMetrics(registry, Clock.systemUTC());

        for (final String name : List.of(
                "ocsp.requests",
                "ocsp.cache-hits",
                "ocsp.live-disconnects",
                "ocsp.responses.revoked",
                "ocsp.failures.timeout",
                "connect.rejected.ocsp-revoked",
                "connect.rejected.revoked",
                "deny-list.reload.successes")) {
            assertThat(registry.getCounters().get("dev.certguard.crl-extension." + name))
                    .as(name)
                    .isNotNull()
                    .satisfies(counter -> assertThat(counter.getCount()).isZero());
        }
        assertThat(registry.getTimers()).containsKey("dev.certguard.crl-extension.ocsp.latency");
    }

    @Test
    void the_extension_registers_exactly_the_metrics_it_defines() {
        final MetricRegistry registry = new MetricRegistry();
        ExtensionStatus.reportRunning(registry, CrlMetrics.ID);
        new ConfigReload<>(CrlMetrics.ID, "conf/config.xml", "", () -> "", (a, b) -> null, registry);
        final CrlMetrics metrics = new CrlMetrics(registry, Clock.systemUTC());
        new ConfigReload<>(
                CrlMetrics.ID,
                "the deny list",
                "",
                () -> "",
                (a, b) -> null,
                metrics.extensionMetrics(),
                CrlMetrics.denyReloadSuccesses(),
                CrlMetrics.denyReloadFailures());
        metrics.source("https://pki.example.org/crl/IOTmidCA.crl");
        metrics.watch("/etc/certguard/broker.pem", () -> 1, () -> 0);
        metrics.trackedGauge(() -> 0);
        metrics.denyListGauge(() -> 0);
        metrics.discovered(() -> 0, () -> 0);
        for (final OcspFailure failure : OcspFailure.values()) {
            if (failure != OcspFailure.INTERNAL) {
                metrics.ocspAnswer(OcspAnswer.failed(failure, Instant.EPOCH), 1);
            }
        }

        MetricChecks.assertRegisteredExactlyTheDefinitions(registry, CrlMetrics.ID, CrlMetrics.DEFINITIONS);
    }

    @Test
    void the_reference_page_lists_every_metric() throws Exception {
        ReferenceFiles.assertRegion(
                PAGE, "metrics", ReferenceGenerator.metricsTable(CrlMetrics.ID, CrlMetrics.DEFINITIONS));
    }
}
