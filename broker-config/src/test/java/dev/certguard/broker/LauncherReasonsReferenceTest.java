package dev.certguard.broker;

import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The operations page lists the reason the launcher's startup gate sends, from its definition. */
class LauncherReasonsReferenceTest {

    @Test
    void the_operations_page_lists_the_launchers_refusal() throws Exception {
        ReferenceFiles.assertRegion(
                Path.of("..", "docs", "operate.md"),
                "reasons",
                ReferenceGenerator.reasonsTable(List.of(StartupGate.NOT_SERVING)));
    }
}
