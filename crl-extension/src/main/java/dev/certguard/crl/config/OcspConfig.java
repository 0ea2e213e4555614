package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.net.URI;
import java.time.Duration;

/**
 * The validated {@code <ocsp>} block of the crl-extension configuration. Immutable; thread-safe.
 */
public final class OcspConfig {

    public static final OcspConfig DISABLED = new OcspConfig(
            false,
            null,
            Duration.ofSeconds(5),
            Duration.ofSeconds(3600),
            1_000_000,
            Duration.ofSeconds(60),
            false,
            CrlConfig.WhenUnavailable.REJECT);

    private final boolean enabled;
    private final @Nullable URI responderUrl;
    private final @NotNull Duration timeout;
    private final @NotNull Duration cacheFor;
    private final long maxCachedResponses;
    private final @NotNull Duration refreshBeforeExpiry;
    private final boolean useNonce;
    private final @NotNull CrlConfig.WhenUnavailable whenUnavailable;

    public OcspConfig(
            final boolean enabled,
            final @Nullable URI responderUrl,
            final @NotNull Duration timeout,
            final @NotNull Duration cacheFor,
            final long maxCachedResponses,
            final @NotNull Duration refreshBeforeExpiry,
            final boolean useNonce,
            final @NotNull CrlConfig.WhenUnavailable whenUnavailable) {
        this.enabled = enabled;
        this.responderUrl = responderUrl;
        this.timeout = timeout;
        this.cacheFor = cacheFor;
        this.maxCachedResponses = maxCachedResponses;
        this.refreshBeforeExpiry = refreshBeforeExpiry;
        this.useNonce = useNonce;
        this.whenUnavailable = whenUnavailable;
    }

    public boolean enabled() {
        return enabled;
    }

    /** The responder for every certificate, or {@code null} to use each certificate's AIA OCSP URL. */
    public @Nullable URI responderUrl() {
        return responderUrl;
    }

    public @NotNull Duration timeout() {
        return timeout;
    }

    /** The longest a response is used, even when its {@code nextUpdate} is later (or absent). */
    public @NotNull Duration cacheFor() {
        return cacheFor;
    }

    public long maxCachedResponses() {
        return maxCachedResponses;
    }

    /** How long before a connected client's cached response expires it is fetched again. */
    public @NotNull Duration refreshBeforeExpiry() {
        return refreshBeforeExpiry;
    }

    public boolean useNonce() {
        return useNonce;
    }

    public @NotNull CrlConfig.WhenUnavailable whenUnavailable() {
        return whenUnavailable;
    }

    @Override
    public boolean equals(final Object other) {
        if (!(other instanceof OcspConfig)) {
            return false;
        }
        final OcspConfig that = (OcspConfig) other;
        return enabled == that.enabled
                && java.util.Objects.equals(responderUrl, that.responderUrl)
                && timeout.equals(that.timeout)
                && cacheFor.equals(that.cacheFor)
                && maxCachedResponses == that.maxCachedResponses
                && refreshBeforeExpiry.equals(that.refreshBeforeExpiry)
                && useNonce == that.useNonce
                && whenUnavailable == that.whenUnavailable;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(enabled, responderUrl, timeout, cacheFor, useNonce, whenUnavailable);
    }
}
