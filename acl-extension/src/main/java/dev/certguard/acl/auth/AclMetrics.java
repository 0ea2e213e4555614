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

    public AclMetrics(final @NotNull MetricRegistry registry) {
        this.registry = registry;
        accepted = registry.counter(PREFIX + "connect.accepted");
        for (final RejectReason reason : RejectReason.values()) {
            rejected.put(reason, registry.counter(PREFIX + "connect.rejected." + reason.metricName()));
        }
        subscriptionsDenied = registry.counter(PREFIX + "subscription.denied");
        publishesDenied = registry.counter(PREFIX + "publish.denied");
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

    void publishDenied() {
        publishesDenied.inc();
    }

    /** Removes the counters, for extension stop. */
    public void remove() {
        registry.removeMatching((name, metric) -> name.startsWith(PREFIX));
    }
}
