package dev.certguard.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The only way certguard puts a metric into HiveMQ's registry: by a {@link MetricDefinition} the
 * extension declares, under {@code dev.certguard.<extension>.}. Asking for an undefined metric is a
 * programming error, so every metric an operator sees is documented. Thread-safe (the registry is).
 */
public final class ExtensionMetrics {

    private final @NotNull MetricRegistry registry;
    private final @NotNull String prefix;
    private final @NotNull List<MetricDefinition> defined;

    public ExtensionMetrics(
            final @NotNull MetricRegistry registry,
            final @NotNull String extensionId,
            final @NotNull List<MetricDefinition> defined) {
        this.registry = registry;
        this.prefix = prefix(extensionId);
        this.defined = List.copyOf(defined);
    }

    /**
     * Registers at zero every counter and timer whose name is fixed (no parameter, or one of a fixed
     * set of values), so every dashboard query has data from the first scrape, before anything
     * happened and whatever the configuration (OCSP off, say). Metrics named after free text (a CRL
     * source, a file) appear with what they name; gauges with the state they read.
     */
    public void registerAtZero() {
        for (final MetricDefinition definition : defined) {
            if (definition.parameter() != null && definition.values().isEmpty()) {
                continue;
            }
            if (definition.type() == MetricDefinition.Type.COUNTER) {
                if (definition.parameter() == null) {
                    counter(definition);
                } else {
                    definition.values().keySet().forEach(value -> counter(definition, value));
                }
            } else if (definition.type() == MetricDefinition.Type.TIMER && definition.parameter() == null) {
                timer(definition);
            }
        }
    }

    /** {@code dev.certguard.<extension>.}, the prefix of every metric of an extension. */
    public static @NotNull String prefix(final @NotNull String extensionId) {
        return "dev.certguard." + extensionId + ".";
    }

    /** Free text (a CRL source, a file path) made safe as part of a metric name. */
    public static @NotNull String key(final @NotNull String text) {
        return text.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    /** The full name of {@code definition} for {@code argument} (its parameter's value, if it has one). */
    public @NotNull String name(final @NotNull MetricDefinition definition, final @Nullable String argument) {
        if (!defined.contains(definition)) {
            throw new IllegalArgumentException(definition + " is not defined for " + prefix);
        }
        return prefix + definition.name(argument);
    }

    public @NotNull Counter counter(final @NotNull MetricDefinition definition) {
        return counter(definition, null);
    }

    public @NotNull Counter counter(final @NotNull MetricDefinition definition, final @Nullable String argument) {
        check(definition, MetricDefinition.Type.COUNTER);
        return registry.counter(name(definition, argument));
    }

    public @NotNull Timer timer(final @NotNull MetricDefinition definition) {
        check(definition, MetricDefinition.Type.TIMER);
        return registry.timer(name(definition, null));
    }

    /** Registers (or replaces) a numeric gauge. */
    public void gauge(
            final @NotNull MetricDefinition definition,
            final @Nullable String argument,
            final @NotNull LongSupplier value) {
        check(definition, MetricDefinition.Type.GAUGE);
        replace(name(definition, argument), (Gauge<Long>) value::getAsLong);
    }

    /** Registers (or replaces) a numeric gauge of int values. */
    public void intGauge(final @NotNull MetricDefinition definition, final @NotNull IntSupplier value) {
        check(definition, MetricDefinition.Type.GAUGE);
        replace(name(definition, null), (Gauge<Integer>) value::getAsInt);
    }

    /** Registers (or replaces) a text gauge. */
    public void textGauge(final @NotNull MetricDefinition definition, final @NotNull Supplier<String> value) {
        check(definition, MetricDefinition.Type.TEXT_GAUGE);
        replace(name(definition, null), (Gauge<String>) value::get);
    }

    /**
     * Registers (or replaces) a report: a gauge whose value is {@code report}, a function from a limit
     * to a JSON document (an {@link IntFunction} because that type crosses extension class loaders).
     */
    public void report(final @NotNull MetricDefinition definition, final @NotNull IntFunction<String> report) {
        check(definition, MetricDefinition.Type.REPORT);
        replace(name(definition, null), (Gauge<IntFunction<String>>) () -> report);
    }

    /**
     * Registers (or replaces) the findings of a fleet-audit check for the extension that writes the
     * report: a gauge whose value is what {@code findings} gives when read (lists and maps of JDK types,
     * which cross extension class loaders).
     */
    public void findings(
            final @NotNull MetricDefinition definition,
            final @Nullable String argument,
            final @NotNull Supplier<List<Map<String, Object>>> findings) {
        check(definition, MetricDefinition.Type.REPORT);
        replace(name(definition, argument), (Gauge<List<Map<String, Object>>>) findings::get);
    }

    /** Removes one metric. */
    public void remove(final @NotNull MetricDefinition definition, final @Nullable String argument) {
        registry.remove(name(definition, argument));
    }

    /**
     * Removes the metrics of these definitions only, for a part that shares its prefix with others (the
     * fleet audit's {@code dev.certguard.audit.}, registered by several extensions).
     */
    public void removeDefined() {
        registry.removeMatching((name, metric) ->
                name.startsWith(prefix) && defined.stream().anyMatch(d -> d.matches(name.substring(prefix.length()))));
    }

    /** Removes every metric of the extension, for extension stop. */
    public void removeAll() {
        registry.removeMatching((name, metric) -> name.startsWith(prefix));
    }

    private void replace(final String name, final Gauge<?> gauge) {
        registry.remove(name);
        registry.register(name, gauge);
    }

    private static void check(final MetricDefinition definition, final MetricDefinition.Type type) {
        if (definition.type() != type) {
            throw new IllegalArgumentException(definition + " is not a " + type.label());
        }
    }
}
