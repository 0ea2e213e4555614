package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;

/**
 * The validated {@code <fleet-audit>} settings of acl-extension's configuration. Immutable;
 * thread-safe.
 */
public final class FleetAuditConfig {

    /** What a key-quality finding does to the CONNECT that raised it. */
    public enum Action {
        /** Refuse the CONNECT ({@code 0x87}) and report it. */
        REFUSE,
        /** Admit the CONNECT and report it. */
        WARN
    }

    public static final int DEFAULT_MINIMUM_RSA_BITS = 2048;
    public static final int DEFAULT_AGE_DAYS = 365;

    /** The defaults: the audit on, weak keys refused. */
    public static final FleetAuditConfig DEFAULTS =
            new FleetAuditConfig(true, Action.REFUSE, DEFAULT_MINIMUM_RSA_BITS, DEFAULT_AGE_DAYS);

    private final boolean enabled;
    private final @NotNull Action action;
    private final int minimumRsaBits;
    private final int ageDays;

    public FleetAuditConfig(
            final boolean enabled, final @NotNull Action action, final int minimumRsaBits, final int ageDays) {
        this.ageDays = ageDays;
        this.enabled = enabled;
        this.action = action;
        this.minimumRsaBits = minimumRsaBits;
    }

    public boolean enabled() {
        return enabled;
    }

    /** What a weak key, curve or signature does to the CONNECT. */
    public @NotNull Action action() {
        return action;
    }

    /** RSA moduli shorter than this are weak. */
    public int minimumRsaBits() {
        return minimumRsaBits;
    }

    /** Connected certificates whose validity began more than this many days ago count as old. */
    public int ageDays() {
        return ageDays;
    }

    @Override
    public boolean equals(final Object other) {
        if (!(other instanceof FleetAuditConfig)) {
            return false;
        }
        final FleetAuditConfig that = (FleetAuditConfig) other;
        return enabled == that.enabled
                && action == that.action
                && minimumRsaBits == that.minimumRsaBits
                && ageDays == that.ageDays;
    }

    @Override
    public int hashCode() {
        return ((Boolean.hashCode(enabled) * 31 + action.hashCode()) * 31 + minimumRsaBits) * 31 + ageDays;
    }

    @Override
    public @NotNull String toString() {
        return "fleet-audit " + (enabled ? "on" : "off") + ", weak keys "
                + action.name().toLowerCase() + ", minimum RSA " + minimumRsaBits + " bits, old after " + ageDays
                + " days";
    }
}
