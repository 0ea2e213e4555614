package dev.certguard.disconnect.lifetime;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.function.IntSupplier;

/**
 * disconnect-extension's metrics under {@code dev.certguard.disconnect-extension.}. Thread-safe.
 */
public final class DisconnectMetrics {

    static final String PREFIX = "dev.certguard.disconnect-extension.";

    private final @NotNull MetricRegistry registry;
    private final @NotNull Counter scheduled;
    private final @NotNull Counter byLifetime;
    private final @NotNull Counter byExpiry;

    public DisconnectMetrics(final @NotNull MetricRegistry registry) {
        this.registry = registry;
        scheduled = registry.counter(PREFIX + "connections.scheduled");
        byLifetime = registry.counter(PREFIX + "disconnected.lifetime");
        byExpiry = registry.counter(PREFIX + "disconnected.certificate-expiry");
    }

    /** Registers the gauges of connections with a pending deadline and of client ids with state. */
    public void gauges(final @NotNull IntSupplier tracked, final @NotNull IntSupplier clientIds) {
        registry.remove(PREFIX + "connections.tracked");
        registry.register(PREFIX + "connections.tracked", (Gauge<Integer>) tracked::getAsInt);
        registry.remove(PREFIX + "client-ids.tracked");
        registry.register(PREFIX + "client-ids.tracked", (Gauge<Integer>) clientIds::getAsInt);
    }

    void scheduled() {
        scheduled.inc();
    }

    void disconnected(final @NotNull Deadline.Limit limit) {
        (limit == Deadline.Limit.LIFETIME ? byLifetime : byExpiry).inc();
    }

    public void remove() {
        registry.removeMatching((name, metric) -> name.startsWith(PREFIX));
    }
}
