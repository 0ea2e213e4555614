package dev.certguard.acl.fleet;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet audit's metrics under {@code dev.certguard.audit.}, each defined here once
 * ({@link #DEFINITIONS} is what the reference documentation lists) and registered at start with the
 * value 0, so a dashboard has data from the first scrape. Thread-safe (the gauges read thread-safe
 * state).
 */
public final class FleetAuditMetrics {

    public static final String ID = "audit";

    static final MetricDefinition FINDINGS = MetricDefinition.gauge(
                    "findings.{check}", "Open findings of the fleet audit's check")
            .withValues(checks());
    static final MetricDefinition DROPPED = MetricDefinition.gauge(
            "findings-dropped",
            "New findings not kept because " + FleetFindings.MAX_FINDINGS + " were open (each check's gauge still"
                    + " counts only kept ones).");
    static final MetricDefinition CONNECTED = MetricDefinition.gauge(
            "certificates.connected", "Connections with a client certificate the census counts.");
    static final MetricDefinition EXPIRING = MetricDefinition.gauge(
                    "certificates.expiring.{window}",
                    "Connected certificates whose validity ends within the window (exact to the hour; expired ones"
                            + " included)")
            .withValues(windows());
    static final MetricDefinition OLD = MetricDefinition.gauge(
            "certificates.old", "Connected certificates whose validity began more than fleet-audit's age-days ago.");
    static final MetricDefinition OFFENDERS = MetricDefinition.gauge(
                    "offenders.{kind}",
                    "Identities listed as repeat offenders of the kind in about the last hour (at most "
                            + Offenders.CAPACITY + "; the report names them)")
            .withValues(kinds());
    static final MetricDefinition REPORT = MetricDefinition.report(
            "report",
            "The fleet audit report (JSON), served by the launcher at GET /certguard/audit on the metrics"
                    + " endpoint.");

    /** Every metric of the fleet audit. */
    public static final List<MetricDefinition> DEFINITIONS =
            List.of(FINDINGS, DROPPED, CONNECTED, EXPIRING, OLD, OFFENDERS, REPORT);

    private static final Map<String, Duration> WINDOWS =
            Map.of("1d", Duration.ofDays(1), "7d", Duration.ofDays(7), "30d", Duration.ofDays(30));

    private final @NotNull ExtensionMetrics metrics;

    public FleetAuditMetrics(final @NotNull MetricRegistry registry, final @NotNull FleetAudit audit) {
        metrics = new ExtensionMetrics(registry, ID, DEFINITIONS);
        final FleetFindings findings = audit.findings();
        for (final Check check : Check.values()) {
            metrics.gauge(FINDINGS, check.label(), () -> findings.open(check));
        }
        metrics.gauge(DROPPED, null, findings::dropped);
        metrics.gauge(CONNECTED, null, audit::connected);
        for (final String window : EXPIRING.values().keySet()) {
            final Duration duration = WINDOWS.get(window);
            metrics.gauge(EXPIRING, window, () -> audit.expiringWithin(duration));
        }
        metrics.gauge(OLD, null, audit::old);
        for (final Offenders.Kind kind : Offenders.Kind.values()) {
            metrics.gauge(OFFENDERS, kind.label(), () -> audit.offenders().listed(kind));
        }
        metrics.report(REPORT, new FleetReport(audit));
    }

    private static Map<String, String> checks() {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final Check check : Check.values()) {
            values.put(check.label(), check.meaning());
        }
        return values;
    }

    private static Map<String, String> kinds() {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put(Offenders.Kind.CONNECT_REFUSED.label(), "refused CONNECTs");
        values.put(Offenders.Kind.PUBLISH_DENIED.label(), "denied PUBLISHes");
        values.put(Offenders.Kind.SUBSCRIBE_DENIED.label(), "denied subscriptions");
        return values;
    }

    private static Map<String, String> windows() {
        final Map<String, String> values = new LinkedHashMap<>();
        values.put("1d", "1 day");
        values.put("7d", "7 days");
        values.put("30d", "30 days");
        return values;
    }

    /** Removes the metrics, for extension stop. */
    public void remove() {
        metrics.removeDefined();
    }
}
