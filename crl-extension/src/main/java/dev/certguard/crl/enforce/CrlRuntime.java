package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.path.Authorities;

/**
 * What the CONNECT check and the live cuts read, from one configuration: the configuration, the
 * configured CAs as {@link Authorities}, the deny list in force (which its own file can replace
 * without a configuration change) and, with OCSP enabled, the OCSP answers. A reload builds a new
 * one and swaps it in one step. Immutable; thread-safe.
 */
public final class CrlRuntime {

    private final @NotNull CrlConfig config;
    private final @NotNull Authorities authorities;
    private final @NotNull DenyList denyList;
    private final @Nullable OcspStatuses ocsp;

    public CrlRuntime(
            final @NotNull CrlConfig config, final @NotNull Authorities authorities, final @NotNull DenyList denyList) {
        this(config, authorities, denyList, null);
    }

    public CrlRuntime(
            final @NotNull CrlConfig config,
            final @NotNull Authorities authorities,
            final @NotNull DenyList denyList,
            final @Nullable OcspStatuses ocsp) {
        this.config = config;
        this.authorities = authorities;
        this.denyList = denyList;
        this.ocsp = ocsp;
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

    /** The OCSP answers when OCSP is enabled, else {@code null}. */
    public @Nullable OcspStatuses ocsp() {
        return ocsp;
    }

    /** The same runtime with another deny list. */
    public @NotNull CrlRuntime withDenyList(final @NotNull DenyList replacement) {
        return new CrlRuntime(config, authorities, replacement, ocsp);
    }
}
