package dev.certguard.crl.state;

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
import org.junit.jupiter.api.Test;

/** Every metric crl-extension registers is defined, and the reference page lists exactly the definitions. */
class MetricsReferenceTest {

    private static final Path PAGE = Path.of("..", "docs", "reference", "crl-extension.md");

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
        metrics.ocspEnabled();
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
