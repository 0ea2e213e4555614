package dev.certguard.acl;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The reference page lists every reason code and string acl-extension sends, from their definitions. */
class ReasonsReferenceTest {

    private static final Path PAGE = Path.of("..", "docs", "reference", "acl-extension.md");

    @Test
    void the_reference_page_lists_every_reason_the_extension_sends() throws Exception {
        assertThat(AclReasons.ALL).doesNotHaveDuplicates();
        ReferenceFiles.assertRegion(PAGE, "reasons", ReferenceGenerator.reasonsTable(AclReasons.ALL));
    }
}
