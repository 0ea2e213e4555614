package dev.certguard.acl.fleet;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
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
    static final MetricDefinition REPORT = MetricDefinition.report(
            "report",
            "The fleet audit report (JSON), served by the launcher at GET /certguard/audit on the metrics"
                    + " endpoint.");

    /** Every metric of the fleet audit. */
    public static final List<MetricDefinition> DEFINITIONS = List.of(FINDINGS, DROPPED, REPORT);

    private final @NotNull ExtensionMetrics metrics;

    public FleetAuditMetrics(final @NotNull MetricRegistry registry, final @NotNull FleetAudit audit) {
        metrics = new ExtensionMetrics(registry, ID, DEFINITIONS);
        final FleetFindings findings = audit.findings();
        for (final Check check : Check.values()) {
            metrics.gauge(FINDINGS, check.label(), () -> findings.open(check));
        }
        metrics.gauge(DROPPED, null, findings::dropped);
        metrics.report(REPORT, new FleetReport(audit));
    }

    private static Map<String, String> checks() {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final Check check : Check.values()) {
            values.put(check.label(), check.meaning());
        }
        return values;
    }

    /** Removes the metrics, for extension stop. */
    public void remove() {
        metrics.removeAll();
    }
}
