package dev.certguard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.certguard.config.ConfigElement.Unit;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigSchemaTest {

    @Test
    void every_element_gets_the_path_problems_and_the_documentation_name_it_by() {
        final ConfigElement identity = ConfigElement.text("identity", "a name", "The name.");
        final ConfigElement services = ConfigElement.items("services", "service", "Services.", identity);
        final ConfigElement timeout = ConfigElement.number("timeout-seconds", 5, 1, 60, Unit.SECONDS, "Timeout.");
        final ConfigElement ocsp = ConfigElement.block("ocsp", "OCSP.", timeout);
        final ConfigElement sources = ConfigElement.list("crl-sources", "crl-source", "a path", "Sources.");
        final ConfigSchema schema =
                new ConfigSchema("f.xml", ConfigElement.block("root", "Root.", services, ocsp, sources));

        assertThat(schema.elements()).containsExactly(services, identity, ocsp, timeout, sources);
        assertThat(schema.path(identity)).isEqualTo("services/service/identity");
        assertThat(schema.path(timeout)).isEqualTo("ocsp/timeout-seconds");
        assertThat(schema.itemPath(sources)).isEqualTo("crl-sources/crl-source");
        assertThat(schema.find("ocsp/timeout-seconds")).isSameAs(timeout);
        assertThat(schema.find("ocsp/nothing")).isNull();
    }

    @Test
    void definitions_that_could_not_be_documented_or_parsed_are_refused() {
        final ConfigElement twice = ConfigElement.bool("a", true, "A.");
        assertThatThrownBy(() -> new ConfigSchema("f", ConfigElement.block("r", "R.", twice, twice)))
                .hasMessageContaining("placed twice");
        assertThatThrownBy(() -> new ConfigSchema(
                        "f", ConfigElement.block("r", "R.", twice, ConfigElement.bool("a", false, "Again."))))
                .hasMessageContaining("two elements named <a>");
        assertThatThrownBy(() -> ConfigElement.number("n", 0, 1, 10, Unit.NONE, "N."))
                .hasMessageContaining("outside 1..10");
        assertThatThrownBy(() -> ConfigElement.choice("c", "maybe", List.of("yes", "no"), "C."))
                .hasMessageContaining("not one of");
        assertThatThrownBy(() -> ConfigElement.bool("b", true, "uses ${HOME}")).hasMessageContaining("${");
        assertThatThrownBy(() -> ConfigElement.bool("Bad Name", true, "B."))
                .hasMessageContaining("not an element name");
    }
}
