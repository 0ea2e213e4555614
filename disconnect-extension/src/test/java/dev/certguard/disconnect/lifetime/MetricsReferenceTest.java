package dev.certguard.disconnect.lifetime;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.reload.ConfigReload;
import dev.certguard.status.ExtensionStatus;
import dev.certguard.testing.reference.MetricChecks;
import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Every metric disconnect-extension registers is defined, and the reference page lists exactly the definitions. */
class MetricsReferenceTest {

    private static final Path PAGE = Path.of("..", "docs", "reference", "disconnect-extension.md");

    @Test
    void the_extension_registers_exactly_the_metrics_it_defines() {
        final MetricRegistry registry = new MetricRegistry();
        ExtensionStatus.reportRunning(registry, DisconnectMetrics.ID);
        new ConfigReload<>(DisconnectMetrics.ID, "conf/config.xml", "", () -> "", (a, b) -> null, registry);
        final DisconnectMetrics metrics = new DisconnectMetrics(registry);
        metrics.gauges(() -> 0, () -> 0);
        metrics.scheduled();

        MetricChecks.assertRegisteredExactlyTheDefinitions(
                registry, DisconnectMetrics.ID, DisconnectMetrics.DEFINITIONS);
    }

    @Test
    void the_reference_page_lists_every_metric() throws Exception {
        ReferenceFiles.assertRegion(
                PAGE, "metrics", ReferenceGenerator.metricsTable(DisconnectMetrics.ID, DisconnectMetrics.DEFINITIONS));
    }
}
