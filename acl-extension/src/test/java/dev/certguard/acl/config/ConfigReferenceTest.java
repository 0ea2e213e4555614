package dev.certguard.acl.config;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.config.ConfigReader;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.testing.reference.ReferenceFiles;
import dev.certguard.testing.reference.ReferenceGenerator;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The configuration reference an operator reads and the schema the zip ships are the code's. */
class ConfigReferenceTest {

    private static final Path CONFIG = Path.of("src/hivemq-extension/conf/config.xml");
    private static final Path XSD = Path.of("src/hivemq-extension/conf/config.xsd");
    /** docs/reference/<extension>.md; the module's folder is named after the extension. */
    private static final Path PAGE =
            Path.of("..", "docs", "reference", Path.of("").toAbsolutePath().getFileName() + ".md");

    @TempDir
    Path dir;

    @Test
    void the_shipped_schema_is_generated_from_the_definitions() throws Exception {
        ReferenceFiles.assertFile(XSD, ReferenceGenerator.xsd(AclConfigParser.SCHEMA));
    }

    @Test
    void the_shipped_config_names_every_element_validates_and_holds_the_defaults() throws Exception {
        ReferenceFiles.assertShippedConfig(AclConfigParser.SCHEMA, CONFIG);
    }

    @Test
    void the_reference_page_shows_the_shipped_file_and_every_element() throws Exception {
        ReferenceFiles.assertRegion(PAGE, "config-example", "```xml\n" + Files.readString(CONFIG) + "```\n");
        ReferenceFiles.assertRegion(PAGE, "config", ReferenceGenerator.configTable(AclConfigParser.SCHEMA));
    }

    @Test
    void the_parser_reads_every_element_it_defines() throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(file, ReferenceGenerator.exampleDocument(AclConfigParser.SCHEMA, Map.of()));
        final ConfigReader reader = ConfigReader.read(file, AclConfigParser.SCHEMA, Map.of());
        try {
            AclConfigParser.parse(reader);
        } catch (final InvalidConfigException ignored) {
            // Sample values need not be valid: the reads before the verdict are what counts.
        }
        assertThat(reader.unread()).isEmpty();
    }
}
