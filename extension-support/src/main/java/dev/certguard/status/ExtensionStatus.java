package dev.certguard.status;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.text.UntrustedText;

/**
 * Publishes an extension's state as a string gauge in HiveMQ's metric registry, so that operators
 * (through any metrics exporter) and the certguard launcher can tell a running extension from one
 * that failed closed. The gauge's value is {@value #RUNNING} or {@code failed: <reason>}.
 * Immutable; thread-safe.
 */
public final class ExtensionStatus {

    public static final String RUNNING = "running";
    public static final String FAILED_PREFIX = "failed: ";

    private ExtensionStatus() {}

    /** The gauge name for an extension id, e.g. {@code dev.certguard.acl-extension.status}. */
    public static @NotNull String gaugeName(final @NotNull String extensionId) {
        return "dev.certguard." + extensionId + ".status";
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
        return "dev.certguard." + extensionId + ".running";
    }

    /** Removes the gauges, for extension stop. */
    public static void clear(final @NotNull MetricRegistry registry, final @NotNull String extensionId) {
        registry.remove(gaugeName(extensionId));
        registry.remove(runningGaugeName(extensionId));
    }

    private static void report(final MetricRegistry registry, final String extensionId, final String value) {
        final String name = gaugeName(extensionId);
        registry.remove(name);
        registry.register(name, (Gauge<String>) () -> value);
        // Metrics exporters drop text gauges; this one is what a dashboard or an alert reads.
        final int running = RUNNING.equals(value) ? 1 : 0;
        registry.remove(runningGaugeName(extensionId));
        registry.register(runningGaugeName(extensionId), (Gauge<Integer>) () -> running);
    }
}
