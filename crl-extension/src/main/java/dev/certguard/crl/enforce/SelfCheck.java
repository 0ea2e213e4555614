package dev.certguard.crl.enforce;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.audit.Audit;
import dev.certguard.audit.SharedFinding;
import dev.certguard.connection.Connection;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The fleet audit's self-check {@code revoked-still-connected}: every minute, on the sweep thread,
 * every connected certificate and its path is held against the deny list, CRLs and CAs in force
 * ({@link LiveRevocation#stillConnectedExcluded()}); connections that should have been cut and are
 * still there, with no cut under way, are counted in {@code dev.certguard.audit.findings.revoked-still-connected}
 * (registered at start at 0; the fleet audit's report includes it) and each is a WARN and an
 * {@code audit.finding} event, and listed with identity, fingerprint and client id in the report's
 * findings ({@code findings-list.revoked-still-connected}). It must stay 0: anything else is a defect
 * of certguard or of the broker's disconnects. Thread-safe: the count is atomic and the list is
 * replaced whole; {@link #run()} runs on one thread.
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

    static final MetricDefinition FINDINGS = MetricDefinition.report(
            "findings-list.{check}",
            "The open findings of crl-extension's check (revoked-still-connected, ca-key-quality) with identity,"
                    + " fingerprint and details, for the findings of acl-extension's report at GET /certguard/audit;"
                    + " a list, not a Prometheus series");

    /** The metrics crl-extension registers under the fleet audit's prefix. */
    public static final List<MetricDefinition> DEFINITIONS = List.of(REVOKED_STILL_CONNECTED, FINDINGS);

    static final String CHECK = "revoked-still-connected";

    private final @NotNull LiveRevocation live;
    private final @NotNull Runnable repair;
    private final @NotNull Audit audit;
    private final @NotNull ExtensionMetrics metrics;
    private final @NotNull Clock clock;
    private final AtomicInteger found = new AtomicInteger();
    /** The last run's findings, for the report; replaced whole by each run. */
    private volatile List<Map<String, Object>> findings = List.of();
    /** When each connection the last run found was first found, and how many runs in a row found it. */
    private Map<Connection, Seen> seen = new HashMap<>();

    /** @param repair queues a sweep of the fleet, run when the check found anything */
    public SelfCheck(
            final @NotNull LiveRevocation live,
            final @NotNull Runnable repair,
            final @NotNull Audit audit,
            final @NotNull MetricRegistry registry,
            final @NotNull Clock clock) {
        this.live = live;
        this.repair = repair;
        this.audit = audit;
        this.clock = clock;
        this.metrics = new ExtensionMetrics(registry, ID, DEFINITIONS);
        metrics.intGauge(REVOKED_STILL_CONNECTED, found::get);
        metrics.findings(FINDINGS, CHECK, () -> findings);
    }

    private static final class Seen {
        final Instant first;
        final long runs;

        Seen(final Instant first, final long runs) {
            this.first = first;
            this.runs = runs;
        }
    }

    @Override
    public void run() {
        final List<Connection> excluded = live.stillConnectedExcluded();
        found.set(excluded.size());
        final Instant now = clock.instant();
        final Map<Connection, Seen> next = new HashMap<>();
        final List<Map<String, Object>> listed = new ArrayList<>();
        for (final Connection connection : excluded) {
            final Seen before = seen.get(connection);
            final Seen entry = before == null ? new Seen(now, 1) : new Seen(before.first, before.runs + 1);
            next.put(connection, entry);
            listed.add(SharedFinding.of(
                    CHECK,
                    "high",
                    connection.identityForLog(),
                    connection.fingerprintForLog(),
                    "still connected although the deny list, CRLs or CAs in force exclude it (client id '"
                            + UntrustedText.escape(connection.clientId()) + "'); a sweep is queued to cut it",
                    entry.first,
                    now,
                    entry.runs));
        }
        seen = next;
        findings = List.copyOf(listed);
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
