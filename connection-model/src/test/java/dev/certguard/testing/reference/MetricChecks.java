package dev.certguard.testing.reference;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import java.util.ArrayList;
import java.util.List;

/**
 * What an extension registered, held against its definitions: nothing undefined is registered, and
 * every definition (every value of an enumerated one) was registered by the code that drove it.
 * Stateless; thread-safe.
 */
public final class MetricChecks {

    private MetricChecks() {}

    public static void assertRegisteredExactlyTheDefinitions(
            final MetricRegistry registry, final String extensionId, final List<MetricDefinition> definitions) {
        final String prefix = ExtensionMetrics.prefix(extensionId);
        final List<String> registered = new ArrayList<>();
        for (final String name : registry.getNames()) {
            assertThat(name).as("every metric is under the extension's prefix").startsWith(prefix);
            registered.add(name.substring(prefix.length()));
        }
        final List<String> undefined = new ArrayList<>();
        for (final String name : registered) {
            if (definitions.stream().noneMatch(d -> d.matches(name))) {
                undefined.add(name);
            }
        }
        assertThat(undefined).as("registered but not defined").isEmpty();
        final List<String> unregistered = new ArrayList<>();
        for (final MetricDefinition definition : definitions) {
            if (definition.values().isEmpty()) {
                if (registered.stream().noneMatch(definition::matches)) {
                    unregistered.add(definition.template());
                }
            } else {
                for (final String value : definition.values().keySet()) {
                    final String name = definition.template().replace("{" + definition.parameter() + "}", value);
                    if (!registered.contains(name)) {
                        unregistered.add(name);
                    }
                }
            }
        }
        assertThat(unregistered).as("defined but never registered").isEmpty();
    }
}
