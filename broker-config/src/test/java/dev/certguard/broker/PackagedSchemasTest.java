package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each packaged extension ships the XML schema of its configuration next to it, byte for byte the
 * generated one (the packaging's resource filtering leaves it alone), and its config.xml names it,
 * so an operator's editor validates the file.
 */
class PackagedSchemasTest {

    private static final List<String> EXTENSIONS = List.of("acl-extension", "disconnect-extension", "crl-extension");

    @Test
    void every_packaged_extension_ships_its_configuration_schema_unchanged_and_named() throws Exception {
        final BrokerHome template = BrokerHome.template();
        for (final String id : EXTENSIONS) {
            final Path conf = template.extension(id).resolve("conf");
            final Path source = Path.of("..", id, "src", "hivemq-extension", "conf", "config.xsd");

            assertThat(conf.resolve("config.xsd")).as(id).hasSameBinaryContentAs(source);
            assertThat(Files.readString(conf.resolve("config.xml")))
                    .as(id)
                    .contains("xsi:noNamespaceSchemaLocation=\"config.xsd\"");
        }
    }

    @Test
    void libxml2_validates_every_packaged_configuration_against_its_schema() throws Exception {
        dev.certguard.broker.testing.Tools.require("command -v xmllint", "libxml2-utils");
        final BrokerHome template = BrokerHome.template();
        for (final String id : EXTENSIONS) {
            final Path conf = template.extension(id).resolve("conf");
            final dev.certguard.broker.testing.Mosquitto.Result checked = dev.certguard.broker.testing.Mosquitto.run(
                    List.of(
                            "xmllint",
                            "--noout",
                            "--schema",
                            conf.resolve("config.xsd").toString(),
                            conf.resolve("config.xml").toString()),
                    java.time.Duration.ofSeconds(30));

            assertThat(checked.exitCode()).as(id + ": " + checked.output()).isZero();
        }
    }
}
