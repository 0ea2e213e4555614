package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.acl.fleet.FleetAuditMetrics;
import dev.certguard.acl.fleet.FleetCensus;
import dev.certguard.audit.Audit;
import dev.certguard.reload.ConfigReload;
import dev.certguard.status.ExtensionStatus;
import dev.certguard.testing.reference.MetricChecks;
import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/** Every metric acl-extension registers is defined, and the reference page lists exactly the definitions. */
class MetricsReferenceTest {

    private static final Path PAGE = Path.of("..", "docs", "reference", "acl-extension.md");

    @Test
    void the_extension_registers_exactly_the_metrics_it_defines() {
        final MetricRegistry registry = new MetricRegistry();
        ExtensionStatus.reportRunning(registry, AclMetrics.ID);
        new ConfigReload<>(AclMetrics.ID, "conf/config.xml", "", () -> "", (a, b) -> null, registry);
        final AclMetrics metrics = new AclMetrics(registry);
        metrics.trackedGauge(() -> 0);
        for (final RejectReason reason : RejectReason.values()) {
            metrics.rejected(reason);
        }

        MetricChecks.assertRegisteredExactlyTheDefinitions(registry, AclMetrics.ID, AclMetrics.DEFINITIONS);
    }

    @Test
    void the_fleet_audit_registers_exactly_its_metrics_at_start_each_at_zero() {
        final MetricRegistry registry = new MetricRegistry();
        final Audit audit = new Audit("acl-extension", Clock.systemUTC());

        new FleetAuditMetrics(
                registry,
                new FleetAudit(
                        Clock.systemUTC(),
                        audit,
                        new FleetCensus(),
                        () -> FleetAuditConfig.DEFAULTS,
                        connection -> {}));

        MetricChecks.assertRegisteredExactlyTheDefinitions(
                registry, FleetAuditMetrics.ID, FleetAuditMetrics.DEFINITIONS);
        registry.getGauges().forEach((name, gauge) -> {
            if (gauge.getValue() instanceof Number) {
                assertThat(((Number) gauge.getValue()).longValue()).as(name).isZero();
            }
        });
    }

    @Test
    void the_reference_page_lists_every_fleet_audit_metric() throws Exception {
        ReferenceFiles.assertRegion(
                PAGE,
                "audit-metrics",
                ReferenceGenerator.metricsTable(FleetAuditMetrics.ID, FleetAuditMetrics.DEFINITIONS));
    }

    @Test
    void the_reference_page_lists_every_metric() throws Exception {
        ReferenceFiles.assertRegion(
                PAGE, "metrics", ReferenceGenerator.metricsTable(AclMetrics.ID, AclMetrics.DEFINITIONS));
    }
}
