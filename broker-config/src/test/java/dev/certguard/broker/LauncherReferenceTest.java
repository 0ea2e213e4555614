package dev.certguard.broker;

import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pages list the reason the launcher's startup gate sends and the metric it adds, from their definitions. */
class LauncherReferenceTest {

    @Test
    void the_operations_page_lists_the_launchers_refusal() throws Exception {
        ReferenceFiles.assertRegion(
                Path.of("..", "docs", "operate.md"),
                "reasons",
                ReferenceGenerator.reasonsTable(List.of(StartupGate.NOT_SERVING)));
    }

    @Test
    void the_observing_page_lists_the_launchers_metric() throws Exception {
        ReferenceFiles.assertRegion(
                Path.of("..", "docs", "observe.md"),
                "launcher-metrics",
                ReferenceGenerator.metricsTable("audit", BrokerCertificateWatch.DEFINITIONS));
    }
}
