package dev.certguard.acl.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.certguard.config.InvalidConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * acl-extension's configuration reader against any file contents (a hand edit gone wrong, a file cut
 * short by a full disk, a DOCTYPE with entities, hostile filters): a configuration whose every
 * service right is a well-formed MQTT topic filter, or an {@link InvalidConfigException} listing
 * problems, never another exception, so a bad reload keeps the last good rights and a bad start
 * refuses every client instead of crashing or granting a malformed filter. Seeds: the shipped
 * config.xml, every element, hostile filters and a DOCTYPE with an external entity.
 */
class AclConfigFuzzTest {

    private static final Path FILE = file();

    private static Path file() {
        try {
            final Path home = Files.createTempDirectory("acl-config-fuzz");
            home.toFile().deleteOnExit();
            return home.resolve("config.xml");
        } catch (final java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @FuzzTest(maxDuration = "30m")
    void any_file_is_a_configuration_of_well_formed_rights_or_a_list_of_problems(final byte[] contents)
            throws Exception {
        Files.write(FILE, contents);
        try {
            final AclConfig config = AclConfigParser.parse(FILE, Map.of("BRIDGE", "v2k-bridge"));
            for (final ServiceRule service : config.services().values()) {
                assertThat(service.identity()).isNotBlank();
                final List<String> filters = new ArrayList<>(service.publish());
                filters.addAll(service.subscribe());
                for (final String filter : filters) {
                    assertThat(wellFormed(filter))
                            .as("right '%s' of %s", filter, service.identity())
                            .isTrue();
                }
            }
            assertThat(config.fleetAudit().minimumRsaBits()).isPositive();
            assertThat(config.fleetAudit().takeovers()).isPositive();
            assertThat(config.fleetAudit().windowSeconds()).isPositive();
        } catch (final InvalidConfigException refused) {
            assertThat(refused.problems()).isNotEmpty().allSatisfy(problem -> assertThat(problem)
                    .isNotBlank());
        }
    }

    /** MQTT 5 §4.7, written here apart from the reader: non-empty, no NUL, '#' last and alone, '+' alone. */
    private static boolean wellFormed(final String filter) {
        if (filter.isEmpty()
                || filter.indexOf('\u0000') >= 0
                || filter.getBytes(StandardCharsets.UTF_8).length > 65535) {
            return false;
        }
        final String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            if (levels[i].contains("#") && (!levels[i].equals("#") || i != levels.length - 1)) {
                return false;
            }
            if (levels[i].contains("+") && !levels[i].equals("+")) {
                return false;
            }
        }
        return true;
    }
}
