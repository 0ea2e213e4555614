package dev.certguard.acl.auth;

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
 * acl-extension's metrics under {@code dev.certguard.acl-extension.}, each defined here once
 * ({@link #DEFINITIONS} is what the reference documentation lists). Thread-safe (Dropwizard
 * counters are).
 */
public final class AclMetrics {

    static final String ID = "acl-extension";

    static final MetricDefinition ACCEPTED = MetricDefinition.counter("connect.accepted", "CONNECTs accepted.");
    static final MetricDefinition REJECTED = MetricDefinition.counter(
                    "connect.rejected.{reason}", "CONNECTs refused (each also logged once as WARN)")
            .withValues(reasons());
    static final MetricDefinition SUBSCRIPTIONS_DENIED =
            MetricDefinition.counter("subscription.denied", "Topic filters refused in SUBACKs.");
    static final MetricDefinition PUBLISHES_DENIED = MetricDefinition.counter(
            "publish.denied", "PUBLISHes refused (the client is disconnected, the message never delivered).");
    static final MetricDefinition LIVE_DISCONNECTS = MetricDefinition.counter(
            "live-disconnects", "Connections cut (DISCONNECT 0x98) because a reload narrowed their rights.");
    static final MetricDefinition SUBSCRIPTIONS_REMOVED = MetricDefinition.counter(
            "subscriptions.removed", "Subscriptions removed from sessions because a reload forbade them.");
    static final MetricDefinition TRACKED = MetricDefinition.gauge(
            "connections.tracked", "Connections whose granted rights are held to be re-checked on a reload.");

    /** Every metric the extension registers, its status and reload counters included. */
    public static final List<MetricDefinition> DEFINITIONS = definitions();

    private final @NotNull ExtensionMetrics metrics;
    private final @NotNull Counter accepted;
    private final @NotNull Map<RejectReason, Counter> rejected = new EnumMap<>(RejectReason.class);
    private final @NotNull Counter subscriptionsDenied;
    private final @NotNull Counter publishesDenied;
    private final @NotNull Counter liveDisconnects;
    private final @NotNull Counter subscriptionsRemoved;

    public AclMetrics(final @NotNull MetricRegistry registry) {
        metrics = new ExtensionMetrics(registry, ID, DEFINITIONS);
        metrics.registerAtZero();
        accepted = metrics.counter(ACCEPTED);
        for (final RejectReason reason : RejectReason.values()) {
            rejected.put(reason, metrics.counter(REJECTED, reason.metricName()));
        }
        subscriptionsDenied = metrics.counter(SUBSCRIPTIONS_DENIED);
        publishesDenied = metrics.counter(PUBLISHES_DENIED);
        liveDisconnects = metrics.counter(LIVE_DISCONNECTS);
        subscriptionsRemoved = metrics.counter(SUBSCRIPTIONS_REMOVED);
    }

    private static Map<String, String> reasons() {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final RejectReason reason : RejectReason.values()) {
            values.put(reason.metricName(), reason.meaning());
        }
        return values;
    }

    private static List<MetricDefinition> definitions() {
        final List<MetricDefinition> all = new ArrayList<>(ExtensionStatus.DEFINITIONS);
        all.addAll(ConfigReload.DEFINITIONS);
        all.addAll(List.of(
                ACCEPTED,
                REJECTED,
                SUBSCRIPTIONS_DENIED,
                PUBLISHES_DENIED,
                LIVE_DISCONNECTS,
                SUBSCRIPTIONS_REMOVED,
                TRACKED));
        return List.copyOf(all);
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
    public void trackedGauge(final @NotNull IntSupplier tracked) {
        metrics.intGauge(TRACKED, tracked);
    }

    /** Removes the counters, for extension stop. */
    public void remove() {
        metrics.removeAll();
    }
}
