package dev.certguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

class ConfigReaderTest {

    @TempDir
    Path dir;

    private ConfigReader read(final String xml, final Map<String, String> env) throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(file, xml);
        return ConfigReader.read(file, "x/conf/config.xml", "x", env);
    }

    @Test
    void values_are_read_with_placeholders_expanded() throws Exception {
        final ConfigReader reader = read(
                "<x><a>${HOME_DIR}/ca.pem</a><n>5</n><b>true</b>" + "<list><item>one</item><item>two</item></list></x>",
                Map.of("HOME_DIR", "/etc"));
        final Element root = reader.root();

        assertThat(reader.text(root, "", "a")).isEqualTo("/etc/ca.pem");
        assertThat(reader.number(root, "", "n", 1, 1, 10)).isEqualTo(5);
        assertThat(reader.bool(root, "", "b", false)).isTrue();
        assertThat(reader.texts(root, "", "list", "item")).containsExactly("one", "two");
        assertThat(reader.number(root, "", "absent", 7, 1, 10)).isEqualTo(7);
        reader.finish();
    }

    @Test
    void every_problem_is_reported_with_file_and_element() throws Exception {
        final ConfigReader reader = read("<x><n>0</n><b>yes</b><a>${MISSING}</a><typo/></x>", Map.of());
        final Element root = reader.root();
        reader.rejectUnknown(root, "", "n", "b", "a");
        reader.number(root, "", "n", 1, 1, 10);
        reader.bool(root, "", "b", false);
        reader.text(root, "", "a");

        final InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, reader::finish);

        assertThat(e.problems())
                .containsExactly(
                        "x/conf/config.xml: <typo> is not a known element (known: n, b, a)",
                        "x/conf/config.xml: <n> must be >= 1, was 0",
                        "x/conf/config.xml: <b> must be true or false, was 'yes'",
                        "x/conf/config.xml: <a> uses ${MISSING} but that environment variable is not set");
    }

    @Test
    void malformed_xml_is_a_problem_not_a_crash() throws Exception {
        final ConfigReader reader = read("<x><a></x>", Map.of());

        assertThat(reader.root()).isNull();
        assertThat(catchThrowableOfType(InvalidConfigException.class, reader::finish)
                        .problems())
                .singleElement()
                .asString()
                .startsWith("x/conf/config.xml: malformed XML at line 1");
    }

    @Test
    void external_entities_are_refused() throws Exception {
        Files.writeString(dir.resolve("secret"), "s3cret");
        final ConfigReader reader = read(
                "<!DOCTYPE x [<!ENTITY e SYSTEM \"file://" + dir.resolve("secret") + "\">]><x><a>&e;</a></x>",
                Map.of());

        assertThat(reader.root()).isNull();
        assertThat(catchThrowableOfType(InvalidConfigException.class, reader::finish)
                        .getMessage())
                .doesNotContain("s3cret")
                .contains("DOCTYPE");
    }

    @Test
    void missing_file_and_wrong_root_are_reported() {
        final ConfigReader missing = ConfigReader.read(dir.resolve("nope.xml"), "x/conf/config.xml", "x", Map.of());
        assertThat(catchThrowableOfType(InvalidConfigException.class, missing::finish)
                        .getMessage())
                .contains("file not found");
    }
}
