package dev.certguard.disconnect.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * Says in one line what a new disconnect-extension configuration changes, for the reload's INFO line.
 * Stateless; thread-safe.
 */
public final class DisconnectChanges {

    private DisconnectChanges() {}

    /** The changes from {@code previous} to {@code next}, or {@code null} when there are none. */
    public static @Nullable String describe(
            final @NotNull DisconnectConfig previous, final @NotNull DisconnectConfig next) {
        final List<String> changes = new ArrayList<>();
        if (!previous.maxConnectionLifetime().equals(next.maxConnectionLifetime())) {
            changes.add("lifetime " + previous.maxConnectionLifetime().getSeconds() + " s -> "
                    + next.maxConnectionLifetime().getSeconds() + " s");
        }
        if (previous.jitterPercent() != next.jitterPercent()) {
            changes.add("jitter " + previous.jitterPercent() + "% -> " + next.jitterPercent() + "%");
        }
        if (previous.disconnectOnCertificateExpiry() != next.disconnectOnCertificateExpiry()) {
            changes.add("certificate expiry " + (next.disconnectOnCertificateExpiry() ? "enforced" : "ignored"));
        }
        if (previous.sendWillMessage() != next.sendWillMessage()) {
            changes.add("will on disconnect " + (next.sendWillMessage() ? "sent" : "suppressed"));
        }
        if (!previous.exemptIdentities().equals(next.exemptIdentities())) {
            changes.add("exempt identities " + new TreeSet<>(next.exemptIdentities()));
        }
        return changes.isEmpty() ? null : String.join("; ", changes);
    }
}
