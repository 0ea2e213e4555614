package dev.certguard.status;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.text.UntrustedText;
import java.util.List;

/**
 * Publishes an extension's state as a string gauge in HiveMQ's metric registry, so that operators
 * (through any metrics exporter) and the certguard launcher can tell a running extension from one
 * that failed closed. The gauge's value is {@value #RUNNING} or {@code failed: <reason>}.
 * Immutable; thread-safe.
 */
public final class ExtensionStatus {

    public static final String RUNNING = "running";
    public static final String FAILED_PREFIX = "failed: ";

    public static final MetricDefinition STATUS = MetricDefinition.textGauge(
            "status",
            "running, or failed: and the reason (a text gauge: JMX shows it, Prometheus exporters skip it;"
                    + " alert on running).");
    public static final MetricDefinition RUNNING_GAUGE = MetricDefinition.gauge(
            "running", "1 while the extension serves, 0 when it refuses every client (alert on 0).");
    /** The status metrics every certguard extension registers. */
    public static final List<MetricDefinition> DEFINITIONS = List.of(STATUS, RUNNING_GAUGE);

    private ExtensionStatus() {}

    /** The gauge name for an extension id, e.g. {@code dev.certguard.acl-extension.status}. */
    public static @NotNull String gaugeName(final @NotNull String extensionId) {
        return ExtensionMetrics.prefix(extensionId) + STATUS.template();
    }

    public static void reportRunning(final @NotNull MetricRegistry registry, final @NotNull String extensionId) {
        report(registry, extensionId, RUNNING);
    }

    /**
     * Reports a failure; the reason (which can quote a configuration file or a parser's message) is
     * neutralised and cut like any log argument.
     */
    public static void reportFailed(
            final @NotNull MetricRegistry registry, final @NotNull String extensionId, final @NotNull String reason) {
        report(registry, extensionId, FAILED_PREFIX + UntrustedText.neutralise(reason, UntrustedText.MAX_LOG_ARGUMENT));
    }

    /** The numeric twin of the status gauge, {@code dev.certguard.<id>.running}: 1 running, 0 failed. */
    public static @NotNull String runningGaugeName(final @NotNull String extensionId) {
        return ExtensionMetrics.prefix(extensionId) + RUNNING_GAUGE.template();
    }

    /** Removes the gauges, for extension stop. */
    public static void clear(final @NotNull MetricRegistry registry, final @NotNull String extensionId) {
        registry.remove(gaugeName(extensionId));
        registry.remove(runningGaugeName(extensionId));
    }

    private static void report(final MetricRegistry registry, final String extensionId, final String value) {
        final ExtensionMetrics metrics = new ExtensionMetrics(registry, extensionId, DEFINITIONS);
        metrics.textGauge(STATUS, () -> value);
        // Metrics exporters drop text gauges; this one is what a dashboard or an alert reads.
        final int running = RUNNING.equals(value) ? 1 : 0;
        metrics.intGauge(RUNNING_GAUGE, () -> running);
    }
}
