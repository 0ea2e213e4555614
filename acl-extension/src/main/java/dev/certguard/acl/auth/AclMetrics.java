package dev.certguard.acl.auth;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.EnumMap;
import java.util.Map;

/**
 * acl-extension's counters in HiveMQ's metric registry, under {@code dev.certguard.acl-extension.}.
 * Thread-safe (Dropwizard counters are).
 */
public final class AclMetrics {

    static final String PREFIX = "dev.certguard.acl-extension.";

    private final @NotNull MetricRegistry registry;
    private final @NotNull Counter accepted;
    private final @NotNull Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final @NotNull Counter subscriptionsDenied;
    private final @NotNull Counter publishesDenied;
    private final @NotNull Counter liveDisconnects;
    private final @NotNull Counter subscriptionsRemoved;

    public AclMetrics(final @NotNull MetricRegistry registry) {
        this.registry = registry;
        accepted = registry.counter(PREFIX + "connect.accepted");
        for (final RejectReason reason : RejectReason.values()) {
            rejected.put(reason, registry.counter(PREFIX + "connect.rejected." + reason.metricName()));
        }
        subscriptionsDenied = registry.counter(PREFIX + "subscription.denied");
        publishesDenied = registry.counter(PREFIX + "publish.denied");
        liveDisconnects = registry.counter(PREFIX + "live-disconnects");
        subscriptionsRemoved = registry.counter(PREFIX + "subscriptions.removed");
    }

    void accepted() {
        accepted.inc();
    }

    void rejected(final @NotNull RejectReason reason) {
        rejected.get(reason).inc();
    }

    void subscriptionsDenied(final int count) {
        subscriptionsDenied.inc(count);
    }

    public void publishDenied() {
        publishesDenied.inc();
    }

    /** A connection cut because a configuration change narrowed its rights. */
    public void liveDisconnect() {
        liveDisconnects.inc();
    }

    /** Subscriptions removed from sessions because a configuration change forbade them. */
    public void subscriptionsRemoved(final int count) {
        subscriptionsRemoved.inc(count);
    }

    /** Registers the gauge of connections whose rights are tracked. */
    public void trackedGauge(final @NotNull java.util.function.IntSupplier tracked) {
        registry.gauge(PREFIX + "connections.tracked", () -> tracked::getAsInt);
    }

    /** Removes the counters, for extension stop. */
    public void remove() {
        registry.removeMatching((name, metric) -> name.startsWith(PREFIX));
    }
}
