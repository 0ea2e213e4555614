package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.live.DeliveryFilter;
import dev.certguard.acl.live.LiveRights;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.keys.KeyQuality;
import dev.certguard.reason.Reason;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The fleet audit: judges each CONNECT's certificate and each configuration as they happen and keeps
 * what it finds in {@link FleetFindings}. Each new finding is written once as the audit event
 * {@code audit.finding} and a WARN; seeing it again only counts. Costs a CONNECT one key judgement
 * ({@link KeyQuality}: a few microseconds) and one map lookup when something is found.
 * Thread-safe: the findings are; the key judge is swapped whole when the minimum changes.
 */
public final class FleetAudit {

    private static final SafeLog log = SafeLog.of(FleetAudit.class);

    /** How a live connection of a quarantined (shared) certificate is cut. */
    public static final Reason SHARED_CUT = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED,
            "certificate-shared",
            "certificate shared by several devices",
            "The connection's certificate was found held by several devices and on-shared-certificate is refuse:"
                    + " its live connections are cut when the quarantine starts.");

    /** A certificate connecting with less validity left than this is a finding. */
    static final Duration EXPIRING_FINDING = Duration.ofDays(7);
    /** How often an open expiry finding's "in N hours" is written again (minutes are its finest unit). */
    static final Duration EXPIRING_DETAILS_REFRESH = Duration.ofSeconds(10);

    private final @NotNull Clock clock;
    private final @NotNull FleetCensus census;
    private final @NotNull Supplier<FleetAuditConfig> config;
    private final @NotNull FleetFindings findings;
    private final @NotNull SharedCertificates shared;
    private final @NotNull Offenders offenders;
    /** Checks another extension runs (crl-extension's revoked-still-connected), by label: their open findings. */
    private final @NotNull Map<String, Supplier<Number>> external = new ConcurrentHashMap<>();

    private final @NotNull Map<String, Supplier<List<?>>> externalFindings = new ConcurrentHashMap<>();

    private volatile @NotNull KeyQuality keyQuality = new KeyQuality(FleetAuditConfig.DEFAULT_MINIMUM_RSA_BITS);

    /**
     * @param census the connected certificates, counted by the connection listener it observes through
     * @param config the {@code <fleet-audit>} settings in force, for the census gauges
     * @param cut cuts a live connection of a quarantined certificate with {@link #SHARED_CUT}
     */
    public FleetAudit(
            final @NotNull Clock clock,
            final @NotNull Audit trail,
            final @NotNull FleetCensus census,
            final @NotNull Supplier<FleetAuditConfig> config,
            final @NotNull Consumer<Connection> cut) {
        this.clock = clock;
        this.census = census;
        this.config = config;
        this.findings = new FleetFindings(clock, finding -> {
            log.warn(
                    "fleet audit: new finding {} ({}): {}; identity '{}', certificate sha256 {}",
                    finding.check().label(),
                    finding.check().severity(),
                    finding.details(),
                    finding.identity(),
                    finding.certificateSha256());
            trail.event("audit.finding")
                    .reason(finding.check().label() + ": " + finding.details())
                    .identity(finding.identity())
                    .certificateSha256(finding.certificateSha256())
                    .write();
        });
        this.shared = new SharedCertificates(clock, findings, cut);
        findings.connectedBy(shared::isConnected);
        this.offenders = new Offenders(clock);
    }

    /**
     * Tracks each connection's certificate (census and shared-certificate detection) while
     * {@code inner} tracks the connection.
     */
    public <T> @NotNull ConnectionObserver<T> observing(final @NotNull ConnectionObserver<T> inner) {
        final ConnectionObserver<T> tracked = census.observing(shared.observing(inner));
        return new ConnectionObserver<T>() {
            @Override
            public @Nullable T authenticated(final @NotNull Connection connection) {
                return tracked.authenticated(connection);
            }

            @Override
            public void ended(final @NotNull Connection connection, final @Nullable T record) {
                tracked.ended(connection, record);
            }

            @Override
            public void serverDisconnected(final @NotNull ServerInitiatedDisconnectInput input) {
                try {
                    tracked.serverDisconnected(input);
                } finally {
                    if (LiveRights.isPublishRefusal(input)) {
                        offended(
                                Offenders.Kind.PUBLISH_DENIED,
                                DeliveryFilter.owner(
                                        input.getClientInformation().getClientId()),
                                1);
                    }
                }
            }
        };
    }

    /**
     * Counts offences of {@code identity} for the repeat offenders; unsafe characters are escaped here
     * (text already escaped stays as it is).
     */
    public void offended(final @NotNull Offenders.Kind kind, final @NotNull String identity, final int times) {
        try {
            if (config.get().enabled()) {
                offenders.offended(kind, UntrustedText.neutralise(identity, UntrustedText.MAX_FIELD), times);
            }
        } catch (final RuntimeException e) {
            // Bookkeeping only: it must never change a decision.
            log.warn("fleet audit: counting an offence failed: {}", e.toString());
        }
    }

    public @NotNull Offenders offenders() {
        return offenders;
    }

    /**
     * Lists in the report a check another extension runs: in the summary the count
     * {@code openFindings} reads, and in the findings the ones {@code listed} reads (each a map of
     * {@link dev.certguard.audit.SharedFinding}'s fields); either gives null while that extension does
     * not run.
     */
    public void includeCheck(
            final @NotNull String label,
            final @NotNull Supplier<Number> openFindings,
            final @NotNull Supplier<List<?>> listed) {
        external.put(label, openFindings);
        externalFindings.put(label, listed);
    }

    /** The findings of the checks other extensions run (those running now), as they hand them over. */
    public @NotNull List<Map<?, ?>> externalFindings() {
        final List<Map<?, ?>> all = new ArrayList<>();
        externalFindings.values().forEach(supplier -> {
            final List<?> listed = supplier.get();
            if (listed != null) {
                for (final Object finding : listed) {
                    if (finding instanceof Map) {
                        all.add((Map<?, ?>) finding);
                    }
                }
            }
        });
        return all;
    }

    /** The open findings of the checks other extensions run, by label (those running now). */
    public @NotNull Map<String, Long> externalChecks() {
        final Map<String, Long> counts = new TreeMap<>();
        external.forEach((label, supplier) -> {
            final Number open = supplier.get();
            if (open != null) {
                counts.put(label, open.longValue());
            }
        });
        return counts;
    }

    /**
     * Judges a CONNECT for a shared certificate (see {@link SharedCertificates}) before it is admitted.
     */
    public @NotNull SharedCertificates.Verdict sharing(
            final @NotNull FleetAuditConfig config,
            final @NotNull String identity,
            final @NotNull String fingerprint,
            final @NotNull String clientId,
            final @Nullable InetAddress address) {
        return shared.connecting(config, identity, fingerprint, clientId, address);
    }

    /**
     * Judges a CONNECT's certificate: the weakness found (recorded as a finding), or {@code null} when
     * the key and signature are sound or the audit is off.
     *
     * @param fingerprint the certificate's SHA-256 fingerprint, already computed for the CONNECT
     */
    public @Nullable KeyQuality.Weakness connecting(
            final @NotNull FleetAuditConfig config,
            final @NotNull String identity,
            final @NotNull X509Certificate certificate,
            final @NotNull String fingerprint) {
        if (!config.enabled()) {
            return null;
        }
        KeyQuality judge = keyQuality;
        if (judge.minimumRsaBits() != config.minimumRsaBits()) {
            judge = new KeyQuality(config.minimumRsaBits());
            keyQuality = judge;
        }
        final KeyQuality.Weakness weakness = judge.judge(certificate);
        if (weakness != null) {
            findings.record(
                    Check.KEY_QUALITY, identity, fingerprint, weakness.rule().label(), weakness.toString());
        }
        final Instant notAfter = certificate.getNotAfter().toInstant();
        final Instant now = clock.instant();
        if (notAfter.isBefore(now.plus(EXPIRING_FINDING))) {
            findings.record(
                    Check.CERTIFICATE_EXPIRING,
                    identity,
                    fingerprint,
                    null,
                    () -> "expires " + notAfter + ", " + remaining(Duration.between(now, notAfter)),
                    EXPIRING_DETAILS_REFRESH);
        }
        return weakness;
    }

    /** {@code in 3 days}, {@code in 5 hours}, {@code in 12 minutes} or {@code expired}. */
    static @NotNull String remaining(final @NotNull Duration left) {
        if (left.isNegative() || left.isZero()) {
            return "expired";
        }
        if (left.toDays() >= 2) {
            return "in " + left.toDays() + " days";
        }
        if (left.toHours() >= 2) {
            return "in " + left.toHours() + " hours";
        }
        return "in " + Math.max(1, left.toMinutes()) + " minutes";
    }

    /**
     * A CONNECT of {@code identity} refused because its client id was another identity's or left its
     * namespace: one finding per identity and certificate, counting the attempts.
     */
    public void clientIdConflict(
            final @NotNull FleetAuditConfig config,
            final @NotNull String identity,
            final @NotNull String fingerprint,
            final @NotNull String clientId) {
        if (config.enabled()) {
            findings.record(
                    Check.CLIENT_ID_CONFLICT,
                    identity,
                    fingerprint,
                    null,
                    "refused for client id '" + UntrustedText.escape(clientId) + "'");
        }
    }

    /** Connected certificates whose validity ends within {@code window}. */
    public long expiringWithin(final @NotNull Duration window) {
        return census.expiringWithin(clock.instant(), window);
    }

    /** Connected certificates older than the configured {@code age-days}. */
    public long old() {
        return census.olderThan(clock.instant(), config.get().ageDays());
    }

    /**
     * Judges a configuration as it comes into force (at start and at every reload): each over-broad
     * service right is a finding and a WARN (at every load, so the operator sees it each time); rights
     * no longer granted close their findings.
     */
    public void configured(final @NotNull AclConfig config) {
        final Set<String> raised = new LinkedHashSet<>();
        if (config.fleetAudit().enabled()) {
            for (final ServiceRights.Excess excess : ServiceRights.judge(config)) {
                final String subject = excess.service() + " " + excess.permission();
                raised.add(subject);
                if (!findings.record(
                        Check.SERVICE_OVERLY_PERMISSIVE, excess.service(), null, subject, excess.details())) {
                    log.warn(
                            "fleet audit: service '{}' {} ({}); a finding {}",
                            excess.service(),
                            excess.details(),
                            excess.permission(),
                            Check.SERVICE_OVERLY_PERMISSIVE.label());
                }
            }
        }
        findings.retain(Check.SERVICE_OVERLY_PERMISSIVE, raised);
        auditLog();
    }

    /** Judges whether the audit trail is written: a finding while it is not, closed once it is. */
    public void auditLog() {
        final String problem = Audit.whyNotWritten();
        if (problem == null) {
            findings.retain(Check.AUDIT_LOG_DISABLED, Set.of());
        } else {
            findings.record(Check.AUDIT_LOG_DISABLED, null, null, Audit.LOGGER, problem);
        }
    }

    public @NotNull FleetFindings findings() {
        return findings;
    }

    /** The connected certificates the census counts. */
    public long connected() {
        return census.connected();
    }

    @NotNull Instant now() {
        return clock.instant();
    }
}
