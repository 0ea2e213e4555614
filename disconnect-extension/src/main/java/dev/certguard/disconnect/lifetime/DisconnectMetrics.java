package dev.certguard.disconnect.lifetime;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.reload.ConfigReload;
import dev.certguard.status.ExtensionStatus;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * disconnect-extension's metrics under {@code dev.certguard.disconnect-extension.}, each defined
 * here once ({@link #DEFINITIONS} is what the reference documentation lists). Thread-safe.
 */
public final class DisconnectMetrics {

    static final String ID = "disconnect-extension";

    static final MetricDefinition SCHEDULED = MetricDefinition.counter(
            "connections.scheduled", "Connections given a deadline (a lifetime or a certificate expiry).");
    static final MetricDefinition DISCONNECTED = MetricDefinition.counter(
                    "disconnected.{limit}", "Connections ended with DISCONNECT 0xA0")
            .withValues(limits());
    static final MetricDefinition TRACKED =
            MetricDefinition.gauge("connections.tracked", "Connections with a pending deadline.");
    static final MetricDefinition CLIENT_IDS =
            MetricDefinition.gauge("client-ids.tracked", "Client ids with connection state in the extension.");

    /** Every metric the extension registers, its status and reload counters included. */
    public static final List<MetricDefinition> DEFINITIONS = definitions();

    private final @NotNull ExtensionMetrics metrics;
    private final @NotNull Counter scheduled;
    private final @NotNull Map<Deadline.Limit, Counter> disconnected = new EnumMap<>(Deadline.Limit.class);

    public DisconnectMetrics(final @NotNull MetricRegistry registry) {
        metrics = new ExtensionMetrics(registry, ID, DEFINITIONS);
        metrics.registerAtZero();
        scheduled = metrics.counter(SCHEDULED);
        for (final Deadline.Limit limit : Deadline.Limit.values()) {
            disconnected.put(limit, metrics.counter(DISCONNECTED, limit.metricName()));
        }
    }

    private static Map<String, String> limits() {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final Deadline.Limit limit : Deadline.Limit.values()) {
            values.put(limit.metricName(), limit.meaning());
        }
        return values;
    }

    private static List<MetricDefinition> definitions() {
        final List<MetricDefinition> all = new ArrayList<>(ExtensionStatus.DEFINITIONS);
        all.addAll(ConfigReload.DEFINITIONS);
        all.addAll(List.of(SCHEDULED, DISCONNECTED, TRACKED, CLIENT_IDS));
        return List.copyOf(all);
    }

    /** Registers the gauges of connections with a pending deadline and of client ids with state. */
    public void gauges(final @NotNull IntSupplier tracked, final @NotNull IntSupplier clientIds) {
        metrics.intGauge(TRACKED, tracked);
        metrics.intGauge(CLIENT_IDS, clientIds);
    }

    void scheduled() {
        scheduled.inc();
    }

    void disconnected(final @NotNull Deadline.Limit limit) {
        disconnected.get(limit).inc();
    }

    public void remove() {
        metrics.removeAll();
    }
}
