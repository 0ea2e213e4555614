package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.path.Authorities;

/**
 * What the CONNECT check and the live cuts read, from one configuration: the configuration, the
 * configured CAs as {@link Authorities}, and the deny list in force (which its own file can replace
 * without a configuration change). A reload builds a new one and swaps it in one step. Immutable;
 * thread-safe.
 */
public final class CrlRuntime {

    private final @NotNull CrlConfig config;
    private final @NotNull Authorities authorities;
    private final @NotNull DenyList denyList;

    public CrlRuntime(
            final @NotNull CrlConfig config, final @NotNull Authorities authorities, final @NotNull DenyList denyList) {
        this.config = config;
        this.authorities = authorities;
        this.denyList = denyList;
    }

    public @NotNull CrlConfig config() {
        return config;
    }

    public @NotNull Authorities authorities() {
        return authorities;
    }

    public @NotNull DenyList denyList() {
        return denyList;
    }

    /** The same runtime with another deny list. */
    public @NotNull CrlRuntime withDenyList(final @NotNull DenyList replacement) {
        return new CrlRuntime(config, authorities, replacement);
    }
}
