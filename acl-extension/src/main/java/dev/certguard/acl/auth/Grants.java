package dev.certguard.acl.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.time.Duration;

/**
 * The rights the authenticator handed HiveMQ for a service's CONNECT, kept from the authenticator
 * until the connection's authentication event picks them up, so that a reload landing between the
 * two still sees what the connection was actually given. Devices are not kept: their rights follow
 * from the identity alone. Entries nobody picks up (a connection that died in between) expire.
 * Thread-safe (a Caffeine cache).
 */
public final class Grants {

    private final @NotNull Cache<String, Principal> byClientId = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(1))
            .maximumSize(100_000)
            .build();

    void granted(final @NotNull String clientId, final @NotNull Principal principal) {
        if (principal.isService()) {
            byClientId.put(clientId, principal);
        }
    }

    /** The service principal granted to {@code clientId}'s CONNECT, removed; {@code null} if none. */
    public @Nullable Principal take(final @NotNull String clientId) {
        return byClientId.asMap().remove(clientId);
    }
}
