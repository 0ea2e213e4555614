package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.Locale;
import java.util.Objects;

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
    public static final int DEFAULT_TAKEOVERS = 3;
    public static final int DEFAULT_WINDOW_SECONDS = 600;
    public static final int DEFAULT_QUARANTINE_SECONDS = 3600;

    /** The defaults: the audit on, weak keys refused. */
    public static final FleetAuditConfig DEFAULTS =
            new FleetAuditConfig(true, Action.REFUSE, DEFAULT_MINIMUM_RSA_BITS, DEFAULT_AGE_DAYS);

    private final boolean enabled;
    private final @NotNull Action action;
    private final int minimumRsaBits;
    private final int ageDays;
    private final int takeovers;
    private final int windowSeconds;
    private final @NotNull Action onSharedCertificate;
    private final int quarantineSeconds;

    /** The given key-quality and census settings; shared certificates at their defaults (warn). */
    public FleetAuditConfig(
            final boolean enabled, final @NotNull Action action, final int minimumRsaBits, final int ageDays) {
        this(
                enabled,
                action,
                minimumRsaBits,
                ageDays,
                DEFAULT_TAKEOVERS,
                DEFAULT_WINDOW_SECONDS,
                Action.WARN,
                DEFAULT_QUARANTINE_SECONDS);
    }

    public FleetAuditConfig(
            final boolean enabled,
            final @NotNull Action action,
            final int minimumRsaBits,
            final int ageDays,
            final int takeovers,
            final int windowSeconds,
            final @NotNull Action onSharedCertificate,
            final int quarantineSeconds) {
        this.ageDays = ageDays;
        this.takeovers = takeovers;
        this.windowSeconds = windowSeconds;
        this.onSharedCertificate = onSharedCertificate;
        this.quarantineSeconds = quarantineSeconds;
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

    /** Takeovers from other addresses within {@link #windowSeconds()} that make a shared certificate. */
    public int takeovers() {
        return takeovers;
    }

    public int windowSeconds() {
        return windowSeconds;
    }

    /** What a shared certificate gets: warn (reported) or refuse (quarantined). */
    public @NotNull Action onSharedCertificate() {
        return onSharedCertificate;
    }

    /** How long a shared certificate stays quarantined when {@link #onSharedCertificate()} is refuse. */
    public int quarantineSeconds() {
        return quarantineSeconds;
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
                && ageDays == that.ageDays
                && takeovers == that.takeovers
                && windowSeconds == that.windowSeconds
                && onSharedCertificate == that.onSharedCertificate
                && quarantineSeconds == that.quarantineSeconds;
    }

    @Override
    public int hashCode() {
        return Objects.hash(
                enabled,
                action,
                minimumRsaBits,
                ageDays,
                takeovers,
                windowSeconds,
                onSharedCertificate,
                quarantineSeconds);
    }

    @Override
    public @NotNull String toString() {
        return "fleet-audit " + (enabled ? "on" : "off") + ", weak keys "
                + action.name().toLowerCase(Locale.ROOT)
                + ", minimum RSA " + minimumRsaBits + " bits, old after " + ageDays + " days, shared certificates "
                + onSharedCertificate.name().toLowerCase(Locale.ROOT) + " after " + takeovers + " takeovers in "
                + windowSeconds + " s (quarantine " + quarantineSeconds + " s)";
    }
}
