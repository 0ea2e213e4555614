package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;

/**
 * The fleet audit's checks, each named as findings, the report's summary and the
 * {@code dev.certguard.audit.findings.<check>} gauges name it. Immutable; thread-safe.
 */
public enum Check {
    CERTIFICATE_SHARED(
            "certificate-shared",
            "high",
            "A certificate held by several devices: its live connection taken over from different addresses"
                    + " takeovers times within window-seconds, or connected at once under different client ids"
                    + " from different addresses; the details name the addresses"),
    KEY_QUALITY(
            "key-quality",
            "high",
            "A device or service certificate with a weak key or signature (the detail names the rule); refused"
                    + " unless fleet-audit's action is warn"),
    CERTIFICATE_EXPIRING(
            "certificate-expiring",
            "low",
            "A certificate that connected with less than 7 days of validity left (the census gauges count every"
                    + " connected one)"),
    CLIENT_ID_CONFLICT(
            "client-id-conflict",
            "medium",
            "An identity whose CONNECTs were refused because the client id was another identity's (with"
                    + " require-client-id-equals-identity) or left its own namespace; one per identity, with"
                    + " counts"),
    AUDIT_LOG_DISABLED(
            "audit-log-disabled",
            "medium",
            "The audit trail's logger certguard.audit is off or reaches no appender (checked at start, at every"
                    + " reload and with every report); closed once it writes again",
            false),
    SERVICE_OVERLY_PERMISSIVE(
            "service-overly-permissive",
            "medium",
            "A configured service with a filter made only of wildcards, or that may both publish devices' attrs and"
                    + " subscribe their config (it can act as any device); judged at every (re)load, never refused",
            false);

    private final @NotNull String label;
    private final @NotNull String severity;
    private final @NotNull String meaning;
    private final boolean expires;

    Check(final @NotNull String label, final @NotNull String severity, final @NotNull String meaning) {
        this(label, severity, meaning, true);
    }

    Check(
            final @NotNull String label,
            final @NotNull String severity,
            final @NotNull String meaning,
            final boolean expires) {
        this.label = label;
        this.severity = severity;
        this.meaning = meaning;
        this.expires = expires;
    }

    /**
     * Whether a finding closes when not seen for a day; the others describe a state the check itself
     * re-judges (a configuration, the audit logger) and close when it no longer holds.
     */
    public boolean expires() {
        return expires;
    }

    /** The name findings and metrics use. */
    public @NotNull String label() {
        return label;
    }

    /** {@code high}, {@code medium} or {@code low}. */
    public @NotNull String severity() {
        return severity;
    }

    /** What an open finding of this check means, for the documentation. */
    public @NotNull String meaning() {
        return meaning;
    }
}
