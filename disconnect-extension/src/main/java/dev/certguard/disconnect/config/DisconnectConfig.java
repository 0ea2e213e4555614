package dev.certguard.disconnect.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.time.Duration;
import java.util.Set;

/**
 * The validated disconnect-extension configuration. Immutable; thread-safe.
 */
public final class DisconnectConfig {

    private final @NotNull Duration maxConnectionLifetime;
    private final int jitterPercent;
    private final boolean disconnectOnCertificateExpiry;
    private final boolean sendWillMessage;
    private final @NotNull Set<String> exemptIdentities;

    public DisconnectConfig(
            final @NotNull Duration maxConnectionLifetime,
            final int jitterPercent,
            final boolean disconnectOnCertificateExpiry,
            final boolean sendWillMessage,
            final @NotNull Set<String> exemptIdentities) {
        this.maxConnectionLifetime = maxConnectionLifetime;
        this.jitterPercent = jitterPercent;
        this.disconnectOnCertificateExpiry = disconnectOnCertificateExpiry;
        this.sendWillMessage = sendWillMessage;
        this.exemptIdentities = Set.copyOf(exemptIdentities);
    }

    /** Zero when the lifetime limit is off. */
    public @NotNull Duration maxConnectionLifetime() {
        return maxConnectionLifetime;
    }

    public int jitterPercent() {
        return jitterPercent;
    }

    public boolean disconnectOnCertificateExpiry() {
        return disconnectOnCertificateExpiry;
    }

    public boolean sendWillMessage() {
        return sendWillMessage;
    }

    /** Certificate CNs never disconnected by the lifetime (certificate expiry still applies). */
    public @NotNull Set<String> exemptIdentities() {
        return exemptIdentities;
    }
}
