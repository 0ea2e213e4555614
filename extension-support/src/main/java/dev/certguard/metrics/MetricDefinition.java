package dev.certguard.metrics;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one definition of a metric an extension registers: its name below
 * {@code dev.certguard.<extension>.}, its type and its meaning. A name may hold one parameter,
 * {@code {name}}: either one of a fixed set of values (each with its meaning, e.g. a refusal reason)
 * or free text made metric-safe by {@link ExtensionMetrics#key(String)} (a CRL source, a file path).
 * {@link ExtensionMetrics} registers only defined metrics, and the reference documentation is
 * generated from these definitions.
 * <p>
 * Immutable; thread-safe.
 */
public final class MetricDefinition {

    /** The Dropwizard metric type, as the documentation names it. */
    public enum Type {
        COUNTER("counter"),
        GAUGE("gauge"),
        /** A gauge whose value is text; Prometheus exporters drop it, the JMX view shows it. */
        TEXT_GAUGE("text gauge"),
        /**
         * A gauge whose value is a {@link java.util.function.IntFunction} from a limit to a JSON report
         * (its {@code toString} is the report at its default limit); Prometheus exporters drop it, the
         * launcher serves it over HTTP.
         */
        REPORT("report"),
        TIMER("timer");

        private final @NotNull String label;

        Type(final @NotNull String label) {
            this.label = label;
        }

        public @NotNull String label() {
            return label;
        }
    }

    private static final Pattern PARAMETER = Pattern.compile("\\{([a-z]+)}");

    private final @NotNull String template;
    private final @NotNull Type type;
    private final @NotNull String meaning;
    private final @Nullable String parameter;
    private final @NotNull Map<String, String> values;

    private MetricDefinition(
            final @NotNull String template,
            final @NotNull Type type,
            final @NotNull String meaning,
            final @NotNull Map<String, String> values) {
        if (!template.matches("[a-z0-9.{}-]+") || meaning.isBlank()) {
            throw new IllegalArgumentException("not a metric template with a meaning: " + template);
        }
        final Matcher matcher = PARAMETER.matcher(template);
        this.parameter = matcher.find() ? matcher.group(1) : null;
        if (parameter != null && matcher.find()) {
            throw new IllegalArgumentException(template + ": at most one parameter");
        }
        if (parameter == null && !values.isEmpty()) {
            throw new IllegalArgumentException(template + ": values without a parameter");
        }
        this.template = template;
        this.type = type;
        this.meaning = meaning;
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
    }

    public static @NotNull MetricDefinition counter(final @NotNull String template, final @NotNull String meaning) {
        return new MetricDefinition(template, Type.COUNTER, meaning, Map.of());
    }

    public static @NotNull MetricDefinition gauge(final @NotNull String template, final @NotNull String meaning) {
        return new MetricDefinition(template, Type.GAUGE, meaning, Map.of());
    }

    public static @NotNull MetricDefinition textGauge(final @NotNull String template, final @NotNull String meaning) {
        return new MetricDefinition(template, Type.TEXT_GAUGE, meaning, Map.of());
    }

    public static @NotNull MetricDefinition report(final @NotNull String template, final @NotNull String meaning) {
        return new MetricDefinition(template, Type.REPORT, meaning, Map.of());
    }

    public static @NotNull MetricDefinition timer(final @NotNull String template, final @NotNull String meaning) {
        return new MetricDefinition(template, Type.TIMER, meaning, Map.of());
    }

    /**
     * The same metric with its parameter limited to {@code values} (value to meaning, in the order
     * the documentation lists them).
     */
    public @NotNull MetricDefinition withValues(final @NotNull Map<String, String> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException(template + ": no values");
        }
        return new MetricDefinition(template, type, meaning, values);
    }

    public @NotNull String template() {
        return template;
    }

    public @NotNull Type type() {
        return type;
    }

    public @NotNull String meaning() {
        return meaning;
    }

    /** The parameter's name, or {@code null} for a metric with one fixed name. */
    public @Nullable String parameter() {
        return parameter;
    }

    /** The allowed values of the parameter with their meanings; empty for a free parameter or none. */
    public @NotNull Map<String, String> values() {
        return values;
    }

    /**
     * The name below the extension's prefix for {@code argument} (ignored without a parameter): a
     * value of the fixed set, or free text made metric-safe.
     *
     * @throws IllegalArgumentException for a value outside the fixed set, or a missing argument
     */
    @NotNull String name(final @Nullable String argument) {
        if (parameter == null) {
            return template;
        }
        if (argument == null) {
            throw new IllegalArgumentException(template + " needs its {" + parameter + "}");
        }
        final String value;
        if (values.isEmpty()) {
            value = ExtensionMetrics.key(argument);
        } else if (values.containsKey(argument)) {
            value = argument;
        } else {
            throw new IllegalArgumentException(template + ": '" + argument + "' is not one of " + values.keySet());
        }
        return template.replace("{" + parameter + "}", value);
    }

    /** Whether {@code name} (below the extension's prefix) is one this definition can register. */
    public boolean matches(final @NotNull String name) {
        if (parameter == null) {
            return template.equals(name);
        }
        final int at = template.indexOf('{');
        final String head = template.substring(0, at);
        final String tail = template.substring(template.indexOf('}') + 1);
        if (!name.startsWith(head) || !name.endsWith(tail) || name.length() <= head.length() + tail.length()) {
            return false;
        }
        final String value = name.substring(head.length(), name.length() - tail.length());
        return values.isEmpty() ? value.equals(ExtensionMetrics.key(value)) : values.containsKey(value);
    }

    @Override
    public @NotNull String toString() {
        return template + " (" + type.label() + ")";
    }
}
