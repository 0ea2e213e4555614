package dev.certguard.crl.enforce;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.audit.Audit;
import dev.certguard.audit.SharedFinding;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.keys.KeyQuality;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The fleet audit's checks of the configured CA certificates, judged at start and at every reload of
 * the configuration: a CA with a weak key or signature ({@link KeyQuality}: RSA below 2048 bits, ROCA,
 * an EC curve other than P-256/384/521, MD5 or SHA-1) is always a WARN and a finding
 * ({@code dev.certguard.audit.findings.ca-key-quality}, which the fleet audit's report includes), never
 * a silent pass and never a refusal (the operator chose the CA); and every CA's days to expiry are a
 * gauge, with the soonest one apart, so an alert can fire weeks before a CA expires and takes its
 * fleet with it. Thread-safe: gauges read the CA list in force, swapped whole.
 */
public final class CaAudit {

    private static final SafeLog log = SafeLog.of(CaAudit.class);

    static final MetricDefinition CA_KEY_QUALITY = MetricDefinition.gauge(
            "findings.ca-key-quality",
            "Open findings of the fleet audit's check ca-key-quality: configured CA certificates with a weak key or"
                    + " signature (each named in a WARN at load)");
    static final MetricDefinition CA_DAYS = MetricDefinition.gauge(
            "ca.{ca}.days-to-expiry", "Whole days until the configured CA certificate (by its CN) expires.");
    static final MetricDefinition SOONEST = MetricDefinition.gauge(
            "ca.soonest-days-to-expiry", "Whole days until the first of the configured CA certificates expires.");

    /** The metrics of the CA checks, under the fleet audit's prefix. */
    public static final List<MetricDefinition> DEFINITIONS = List.of(CA_KEY_QUALITY, CA_DAYS, SOONEST);

    private static final KeyQuality JUDGE = new KeyQuality(2048);

    private final @NotNull ExtensionMetrics metrics;
    private final @NotNull Audit audit;
    private final @NotNull Clock clock;
    private volatile @NotNull List<X509Certificate> cas = List.of();
    private volatile int weak;
    private volatile @NotNull List<Map<String, Object>> findings = List.of();
    private final List<String> registered = new ArrayList<>();

    public CaAudit(final @NotNull MetricRegistry registry, final @NotNull Audit audit, final @NotNull Clock clock) {
        this.metrics = new ExtensionMetrics(
                registry, SelfCheck.ID, List.of(CA_KEY_QUALITY, CA_DAYS, SOONEST, SelfCheck.FINDINGS));
        this.audit = audit;
        this.clock = clock;
        metrics.intGauge(CA_KEY_QUALITY, () -> weak);
        metrics.gauge(
                SOONEST,
                null,
                () -> cas.stream().mapToLong(this::daysLeft).min().orElse(-1));
        metrics.findings(SelfCheck.FINDINGS, CHECK, () -> findings);
    }

    static final String CHECK = "ca-key-quality";

    /** Judges the CA certificates now in force (at start and after every reload that changed them). */
    public synchronized void judge(final @NotNull List<X509Certificate> certificates) {
        int found = 0;
        final Instant now = clock.instant();
        final List<Map<String, Object>> listed = new ArrayList<>();
        for (final X509Certificate ca : certificates) {
            final KeyQuality.Weakness weakness = JUDGE.judge(ca);
            if (weakness != null) {
                found++;
                listed.add(SharedFinding.of(
                        CHECK,
                        "high",
                        UntrustedText.name(ca.getSubjectX500Principal()),
                        CertificateIdentity.sha256Fingerprint(ca),
                        "configured CA with a weak key or signature: " + weakness + "; its devices are still admitted",
                        now,
                        now,
                        1));
                log.warn(
                        "fleet audit: ca-key-quality: CA '{}' (sha256 {}) has a weak key or signature: {}; its devices"
                                + " are still admitted, replace the CA",
                        UntrustedText.name(ca.getSubjectX500Principal()),
                        CertificateIdentity.sha256Fingerprint(ca),
                        weakness);
                audit.event("audit.finding")
                        .reason("ca-key-quality: " + weakness)
                        .certificate(ca)
                        .write();
            }
        }
        weak = found;
        findings = List.copyOf(listed);
        cas = List.copyOf(certificates);
        registered.forEach(name -> metrics.remove(CA_DAYS, name));
        registered.clear();
        for (final X509Certificate ca : certificates) {
            final String name = name(ca);
            registered.add(name);
            metrics.gauge(CA_DAYS, name, () -> daysLeft(ca));
        }
    }

    /** The CA's CN (or its whole subject), made metric-safe by the metric's definition. */
    private static String name(final X509Certificate ca) {
        final String cn = CertificateIdentity.commonNameOrNull(ca);
        return cn != null ? cn : ca.getSubjectX500Principal().getName();
    }

    private long daysLeft(final X509Certificate ca) {
        return Duration.between(clock.instant(), ca.getNotAfter().toInstant()).toDays();
    }

    /** The CA certificates judged weak. */
    public int weak() {
        return weak;
    }

    /** Removes the gauges, for extension stop. */
    public void remove() {
        metrics.removeDefined();
    }
}
