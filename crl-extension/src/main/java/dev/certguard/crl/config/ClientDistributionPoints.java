package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.time.Duration;
import java.util.List;

/**
 * The {@code <client-distribution-points>} settings: whether CRL distribution points named in device
 * certificates (and the Freshest CRL of loaded CRLs) are fetched when a CONNECT needs them, under
 * which URL prefixes, how many are kept and for how long an unused one stays. Immutable; thread-safe.
 */
public final class ClientDistributionPoints {

    /** Discovery off (no {@code <client-distribution-points>} block, or {@code enabled} false). */
    public static final ClientDistributionPoints DISABLED =
            new ClientDistributionPoints(false, List.of(), 10_000, Duration.ofDays(7));

    private final boolean enabled;
    private final @NotNull List<UrlPrefix> prefixes;
    private final int maxSources;
    private final @NotNull Duration idle;

    public ClientDistributionPoints(
            final boolean enabled,
            final @NotNull List<UrlPrefix> prefixes,
            final int maxSources,
            final @NotNull Duration idle) {
        this.enabled = enabled;
        this.prefixes = List.copyOf(prefixes);
        this.maxSources = maxSources;
        this.idle = idle;
    }

    public boolean enabled() {
        return enabled;
    }

    public @NotNull List<UrlPrefix> prefixes() {
        return prefixes;
    }

    /** Whether discovery is on and {@code url} is under one of the allowed prefixes. */
    public boolean allows(final @NotNull String url) {
        if (!enabled) {
            return false;
        }
        for (final UrlPrefix prefix : prefixes) {
            if (prefix.allows(url)) {
                return true;
            }
        }
        return false;
    }

    public int maxSources() {
        return maxSources;
    }

    /** How long a discovered URL that no connected or connecting certificate names is kept. */
    public @NotNull Duration idle() {
        return idle;
    }

    @Override
    public boolean equals(final Object other) {
        if (!(other instanceof ClientDistributionPoints)) {
            return false;
        }
        final ClientDistributionPoints that = (ClientDistributionPoints) other;
        return enabled == that.enabled
                && prefixes.equals(that.prefixes)
                && maxSources == that.maxSources
                && idle.equals(that.idle);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(enabled, prefixes, maxSources, idle);
    }

    /** One line for logs: off, or the prefixes and bounds. */
    @Override
    public @NotNull String toString() {
        return enabled
                ? "on (" + prefixes + ", max-sources " + maxSources + ", idle-seconds " + idle.getSeconds() + ")"
                : "off";
    }
}
