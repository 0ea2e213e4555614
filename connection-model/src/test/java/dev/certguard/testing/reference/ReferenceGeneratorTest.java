package dev.certguard.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.certguard.config.ConfigElement;
import dev.certguard.config.ConfigElement.Unit;
import dev.certguard.config.ConfigReader;
import dev.certguard.config.ConfigSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.xml.validation.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;
import org.xml.sax.SAXException;

class ReferenceGeneratorTest {

    private static final ConfigElement TIMEOUT =
            ConfigElement.number("timeout-seconds", 10, 1, 600, Unit.SECONDS, "Time for one download.");
    private static final ConfigElement STRICT = ConfigElement.bool("strict", true, "Refuse what is odd.");
    private static final ConfigElement MODE =
            ConfigElement.choice("mode", "reject", List.of("reject", "allow"), "What a client gets.");
    private static final ConfigElement CA =
            ConfigElement.text("ca", "a file path", "The CAs.").required();
    private static final ConfigElement SOURCES =
            ConfigElement.list("sources", "source", "a path or URL", "Where | from.");
    private static final ConfigElement NAME =
            ConfigElement.text("name", "a name", "Its name.").required();
    private static final ConfigElement TOPIC = ConfigElement.repeated("topic", "a filter", "A filter.");
    private static final ConfigElement SERVICES = ConfigElement.items("services", "service", "Services.", NAME, TOPIC);
    private static final ConfigElement LIMIT = ConfigElement.number("limit", 3, 0, 5, Unit.NONE, "A limit.");
    private static final ConfigElement OPTIONS = ConfigElement.block("options", "More.", LIMIT);
    private static final ConfigSchema SCHEMA = new ConfigSchema(
            "x/conf/config.xml",
            ConfigElement.block("x", "The file.", TIMEOUT, STRICT, MODE, CA, SOURCES, SERVICES, OPTIONS));

    @TempDir
    Path dir;

    @Test
    void the_table_gives_each_element_its_path_type_default_range_and_meaning() {
        assertThat(ReferenceGenerator.configTable(SCHEMA))
                .isEqualTo("| element | type | default | allowed | meaning |\n"
                        + "|---|---|---|---|---|\n"
                        + "| `timeout-seconds` | whole number (seconds) | `10` | 1 to 600 | Time for one download. |\n"
                        + "| `strict` | boolean | `true` | `true`, `false` | Refuse what is odd. |\n"
                        + "| `mode` | choice | `reject` | `reject`, `allow` | What a client gets. |\n"
                        + "| `ca` | text | required | a file path | The CAs. |\n"
                        + "| `sources/source` | list of `<source>` | none | a path or URL | Where \\| from. |\n"
                        + "| `services` | list of `<service>` blocks | none | the elements below | Services. |\n"
                        + "| `services/service/name` | text | required | a name | Its name. |\n"
                        + "| `services/service/topic` | text, repeatable | none | a filter | A filter. |\n"
                        + "| `options` | block | absent | the elements below | More. |\n"
                        + "| `options/limit` | whole number | `3` | 0 to 5 | A limit. |\n");
    }

    @Test
    void the_schema_accepts_what_the_parser_accepts_placeholders_included() throws Exception {
        final Schema schema = ReferenceFiles.compile(ReferenceGenerator.xsd(SCHEMA));

        ReferenceFiles.validate(schema, ReferenceGenerator.exampleDocument(SCHEMA, Map.of()));
        ReferenceFiles.validate(
                schema,
                "<x xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:noNamespaceSchemaLocation=\"c.xsd\">"
                        + "<ca>/etc/ca.pem</ca><!-- a comment --><timeout-seconds> ${TIMEOUT} </timeout-seconds>"
                        + "<services><service><topic>a/#</topic><name>n</name><topic>b</topic></service></services></x>");
    }

    @Test
    void the_schema_refuses_what_the_parser_refuses() throws Exception {
        final Schema schema = ReferenceFiles.compile(ReferenceGenerator.xsd(SCHEMA));

        for (final String invalid : List.of(
                "<x><ca>c</ca><strict>1</strict></x>",
                "<x><ca>c</ca><timeout-seconds>601</timeout-seconds></x>",
                "<x><ca>c</ca><timeout-seconds>ten</timeout-seconds></x>",
                "<x><ca>c</ca><mode>maybe</mode></x>",
                "<x><ca>c</ca><typo/></x>",
                "<x><ca>c</ca><ca>d</ca></x>",
                "<x><strict>true</strict></x>",
                "<x><ca>c</ca><options><limit>6</limit></options></x>")) {
            assertThatThrownBy(() -> ReferenceFiles.validate(schema, invalid))
                    .as(invalid)
                    .isInstanceOf(SAXException.class);
        }
    }

    @Test
    void the_example_document_holds_every_element_once() throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(file, ReferenceGenerator.exampleDocument(SCHEMA, Map.of(CA, "/etc/ca.pem")));
        final ConfigReader reader = ConfigReader.read(file, SCHEMA, Map.of());
        final Element root = reader.requireRoot();

        assertThat(reader.text(root, CA)).isEqualTo("/etc/ca.pem");
        assertThat(reader.number(root, TIMEOUT)).isEqualTo(10);
        assertThat(reader.texts(root, SOURCES)).containsExactly("sample");
        final Element service = reader.items(root, SERVICES).get(0);
        assertThat(reader.repeated(service, TOPIC)).containsExactly("sample");
        reader.finish();
    }

    @Test
    void a_region_is_replaced_between_its_markers_only() {
        final String page = "intro\n<!-- generated:config -->\nold\n<!-- /generated:config -->\nafter\n";

        assertThat(ReferenceFiles.replaceRegion(page, "config", "| new |\n"))
                .isEqualTo("intro\n<!-- generated:config -->\n\n| new |\n\n<!-- /generated:config -->\nafter\n");
        assertThatThrownBy(() -> ReferenceFiles.replaceRegion(page, "metrics", "x"))
                .isInstanceOf(AssertionError.class);
    }

    @Test
    void every_pattern_of_the_schema_uses_only_the_escapes_xml_schema_defines() {
        // XML Schema Part 2, F.1.1: other escapes (\\$ for one) are refused by strict processors
        // such as libxml2, though the JDK's accepts them.
        final java.util.regex.Matcher patterns = java.util.regex.Pattern.compile("<xs:pattern value=\"([^\"]*)\"")
                .matcher(ReferenceGenerator.xsd(SCHEMA));
        int found = 0;
        while (patterns.find()) {
            found++;
            final java.util.regex.Matcher escapes =
                    java.util.regex.Pattern.compile("\\\\(.)").matcher(patterns.group(1));
            while (escapes.find()) {
                assertThat("nrt\\|.-^?*+{}()[]sSiIcCdDwWpP")
                        .as(patterns.group(1))
                        .contains(escapes.group(1));
            }
        }
        assertThat(found).isPositive();
    }
}
