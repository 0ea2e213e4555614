package dev.certguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.certguard.config.ConfigElement.Unit;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

class ConfigReaderTest {

    private static final ConfigElement A = ConfigElement.text("a", "a path", "A file.");
    private static final ConfigElement N = ConfigElement.number("n", 7, 1, 10, Unit.SECONDS, "A number.");
    private static final ConfigElement B = ConfigElement.bool("b", false, "A switch.");
    private static final ConfigElement LIST = ConfigElement.list("list", "item", "a word", "Words.");
    private static final ConfigElement MODE =
            ConfigElement.choice("mode", "reject", List.of("reject", "allow"), "What to do.");
    private static final ConfigElement NAME =
            ConfigElement.text("name", "a name", "The name.").required();
    private static final ConfigElement RULE = ConfigElement.repeated("rule", "a filter", "A rule.");
    private static final ConfigElement THINGS = ConfigElement.items("things", "thing", "Things.", NAME, RULE);
    private static final ConfigElement LIMIT = ConfigElement.number("limit", 3, 0, 5, Unit.NONE, "A limit.");
    private static final ConfigElement INNER = ConfigElement.block("inner", "A block.", LIMIT);
    private static final ConfigSchema SCHEMA = new ConfigSchema(
            "x/conf/config.xml", ConfigElement.block("x", "The file.", A, N, B, LIST, MODE, THINGS, INNER));

    @TempDir
    Path dir;

    private ConfigReader read(final String xml, final Map<String, String> env) throws Exception {
        final Path file = dir.resolve("config.xml");
        Files.writeString(file, xml);
        return ConfigReader.read(file, SCHEMA, env);
    }

    @Test
    void values_are_read_with_placeholders_expanded_and_defaults_when_absent() throws Exception {
        final ConfigReader reader = read(
                "<x><a>${HOME_DIR}/ca.pem</a><b>true</b><list><item>one</item><item>two</item></list>"
                        + "<mode>allow</mode><things><thing><name>t</name><rule>r1</rule><rule>r2</rule></thing>"
                        + "</things><inner><limit>${LIMIT}</limit></inner></x>",
                Map.of("HOME_DIR", "/etc", "LIMIT", "5"));
        final Element root = reader.root();

        assertThat(reader.text(root, A)).isEqualTo("/etc/ca.pem");
        assertThat(reader.number(root, N)).isEqualTo(7);
        assertThat(reader.bool(root, B)).isTrue();
        assertThat(reader.texts(root, LIST)).containsExactly("one", "two");
        assertThat(reader.choice(root, MODE)).isEqualTo("allow");
        final List<Element> things = reader.items(root, THINGS);
        assertThat(things).hasSize(1);
        assertThat(reader.text(things.get(0), NAME)).isEqualTo("t");
        assertThat(reader.repeated(things.get(0), RULE)).containsExactly("r1", "r2");
        assertThat(reader.number(reader.block(root, INNER), LIMIT)).isEqualTo(5);
        assertThat(reader.unread()).isEmpty();
        reader.finish();
    }

    @Test
    void every_problem_is_reported_with_file_and_element_path() throws Exception {
        final ConfigReader reader = read(
                "<x><n>0</n><b>yes</b><a>${MISSING}</a><typo/><mode>maybe</mode>"
                        + "<things><thing><rule></rule><extra/></thing><stray/></things>"
                        + "<inner><limit>six</limit><limit>1</limit><bad/></inner></x>",
                Map.of());
        final Element root = reader.root();
        reader.number(root, N);
        reader.bool(root, B);
        reader.text(root, A);
        reader.choice(root, MODE);
        for (final Element thing : reader.items(root, THINGS)) {
            reader.text(thing, NAME);
            reader.repeated(thing, RULE);
        }
        reader.number(reader.block(root, INNER), LIMIT);

        final InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, reader::finish);

        assertThat(e.problems())
                .containsExactly(
                        "x/conf/config.xml: <typo> is not a known element (known: a, n, b, list, mode, things, inner)",
                        "x/conf/config.xml: <n> must be >= 1, was 0",
                        "x/conf/config.xml: <b> must be true or false, was 'yes'",
                        "x/conf/config.xml: <a> uses ${MISSING} but that environment variable is not set",
                        "x/conf/config.xml: <mode> must be reject or allow, was 'maybe'",
                        "x/conf/config.xml: <things/stray> is not a known element (known: thing)",
                        "x/conf/config.xml: <things/thing/extra> is not a known element (known: name, rule)",
                        "x/conf/config.xml: <things/thing/name> is required",
                        "x/conf/config.xml: <things/thing/rule> must not be empty",
                        "x/conf/config.xml: <inner/bad> is not a known element (known: limit)",
                        "x/conf/config.xml: <inner/limit> appears 2 times, at most once is allowed",
                        "x/conf/config.xml: <inner/limit> must be a whole number, was 'six'");
        assertThat(reader.unread()).containsExactly(LIST);
    }

    @Test
    void a_definition_read_in_the_wrong_place_or_as_the_wrong_kind_is_a_programming_error() throws Exception {
        final ConfigReader reader = read("<x><inner><limit>1</limit></inner></x>", Map.of());

        assertThatThrownBy(() -> reader.number(reader.root(), LIMIT))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sits in <inner>");
        assertThatThrownBy(() -> reader.text(reader.root(), N))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a TEXT");
        assertThatThrownBy(() -> reader.problem(ConfigElement.bool("other", true, "Not in the schema."), "x"))
                .isInstanceOf(IllegalArgumentException.class);
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
    void missing_file_and_wrong_root_are_reported() throws Exception {
        final ConfigReader missing = ConfigReader.read(dir.resolve("nope.xml"), SCHEMA, Map.of());
        assertThat(catchThrowableOfType(InvalidConfigException.class, missing::finish)
                        .getMessage())
                .contains("file not found");
        final ConfigReader wrongRoot = read("<y/>", Map.of());
        assertThat(catchThrowableOfType(InvalidConfigException.class, wrongRoot::finish)
                        .getMessage())
                .contains("root element must be <x>, was <y>");
    }
}
