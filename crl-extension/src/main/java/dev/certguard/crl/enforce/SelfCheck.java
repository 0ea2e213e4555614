package dev.certguard.crl.enforce;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.text.SafeLog;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fleet audit's self-check {@code revoked-still-connected}: every minute, on the sweep thread,
 * every connected certificate and its path is held against the deny list, CRLs and CAs in force
 * ({@link LiveRevocation#stillConnectedExcluded()}); connections that should have been cut and are
 * still there, with no cut under way, are counted in {@code dev.certguard.audit.findings.revoked-still-connected}
 * (registered at start at 0; the fleet audit's report includes it) and each is a WARN and an
 * {@code audit.finding} event. It must stay 0: anything else is a defect of certguard or of the
 * broker's disconnects. Thread-safe: the count is atomic; {@link #run()} runs on one thread.
 */
public final class SelfCheck implements Runnable {

    private static final SafeLog log = SafeLog.of(SelfCheck.class);

    /** The fleet audit's metrics prefix, shared with acl-extension's checks. */
    public static final String ID = "audit";

    static final MetricDefinition REVOKED_STILL_CONNECTED = MetricDefinition.gauge(
            "findings.revoked-still-connected",
            "Open findings of the fleet audit's check revoked-still-connected (crl-extension's self-check,"
                    + " every minute): connections still connected for two checks in a row although the deny"
                    + " list, CRLs or CAs in force exclude them and no cut is under way; must be 0");

    /** The metrics crl-extension registers under the fleet audit's prefix. */
    public static final List<MetricDefinition> DEFINITIONS = List.of(REVOKED_STILL_CONNECTED);

    private final @NotNull LiveRevocation live;
    private final @NotNull Runnable repair;
    private final @NotNull Audit audit;
    private final @NotNull ExtensionMetrics metrics;
    private final AtomicInteger found = new AtomicInteger();

    /** @param repair queues a sweep of the fleet, run when the check found anything */
    public SelfCheck(
            final @NotNull LiveRevocation live,
            final @NotNull Runnable repair,
            final @NotNull Audit audit,
            final @NotNull MetricRegistry registry) {
        this.live = live;
        this.repair = repair;
        this.audit = audit;
        this.metrics = new ExtensionMetrics(registry, ID, DEFINITIONS);
        metrics.intGauge(REVOKED_STILL_CONNECTED, found::get);
    }

    @Override
    public void run() {
        final List<Connection> excluded = live.stillConnectedExcluded();
        found.set(excluded.size());
        for (final Connection connection : excluded) {
            log.warn(
                    "fleet audit: revoked-still-connected: {} is still connected although the deny list, CRLs or CAs"
                            + " in force exclude it (a defect; a sweep of the fleet is queued to cut it)",
                    connection.describe());
            audit.event("audit.finding")
                    .reason("revoked-still-connected: still connected although excluded")
                    .connection(connection)
                    .write();
        }
        if (!excluded.isEmpty()) {
            repair.run();
        }
    }

    /** The connections found by the last run. */
    public int found() {
        return found.get();
    }

    /** Removes the gauge, for extension stop. */
    public void remove() {
        metrics.removeDefined();
    }
}
