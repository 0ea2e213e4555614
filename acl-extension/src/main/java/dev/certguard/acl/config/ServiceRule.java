package dev.certguard.acl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.util.List;

/**
 * The explicit rights of one named service identity (a bridge). Immutable; thread-safe.
 */
public final class ServiceRule {

    private final @NotNull String identity;
    private final @Nullable String certificateSha256;
    private final @NotNull List<String> publish;
    private final @NotNull List<String> subscribe;
    private final boolean allowUsernameIdentity;

    public ServiceRule(
            final @NotNull String identity,
            final @Nullable String certificateSha256,
            final @NotNull List<String> publish,
            final @NotNull List<String> subscribe,
            final boolean allowUsernameIdentity) {
        this.identity = identity;
        this.certificateSha256 = certificateSha256;
        this.publish = List.copyOf(publish);
        this.subscribe = List.copyOf(subscribe);
        this.allowUsernameIdentity = allowUsernameIdentity;
    }

    /** The exact certificate CN (or, where allowed, username) that names this service. */
    public @NotNull String identity() {
        return identity;
    }

    /** Normalised lower-case hex SHA-256 the certificate must have, or {@code null} if not pinned. */
    public @Nullable String certificateSha256() {
        return certificateSha256;
    }

    public @NotNull List<String> publish() {
        return publish;
    }

    public @NotNull List<String> subscribe() {
        return subscribe;
    }

    /** Whether this service may be claimed by username on a username-identity (testing) listener. */
    public boolean allowUsernameIdentity() {
        return allowUsernameIdentity;
    }
}
