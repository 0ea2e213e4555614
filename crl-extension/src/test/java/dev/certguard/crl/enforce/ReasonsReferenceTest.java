package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The reference page lists every reason code and string crl-extension sends, from their definitions. */
class ReasonsReferenceTest {

    private static final Path PAGE = Path.of("..", "docs", "reference", "crl-extension.md");

    @Test
    void the_reference_page_lists_every_reason_the_extension_sends() throws Exception {
        assertThat(CrlReasons.ALL).doesNotHaveDuplicates();
        ReferenceFiles.assertRegion(PAGE, "reasons", ReferenceGenerator.reasonsTable(CrlReasons.ALL));
    }
}
