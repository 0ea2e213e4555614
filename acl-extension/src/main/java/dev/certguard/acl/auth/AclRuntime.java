package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.services.builder.TopicPermissionBuilder;
import dev.certguard.acl.config.AclConfig;
import java.util.function.Supplier;

/**
 * Everything acl-extension derives from one configuration: the configuration, its identity
 * resolver (with its per-certificate cache) and the services' prebuilt permissions. A reload builds a
 * new one completely and swaps it in one step, so every CONNECT is decided by one configuration,
 * never by a mix. Immutable; thread-safe.
 */
public final class AclRuntime {

    private final @NotNull AclConfig config;
    private final @NotNull IdentityResolver resolver;
    private final @NotNull TopicPermissions permissions;

    private AclRuntime(
            final @NotNull AclConfig config,
            final @NotNull IdentityResolver resolver,
            final @NotNull TopicPermissions permissions) {
        this.config = config;
        this.resolver = resolver;
        this.permissions = permissions;
    }

    public static @NotNull AclRuntime of(
            final @NotNull AclConfig config, final @NotNull Supplier<TopicPermissionBuilder> builders) {
        return new AclRuntime(config, new IdentityResolver(config), new TopicPermissions(builders, config));
    }

    public @NotNull AclConfig config() {
        return config;
    }

    public @NotNull IdentityResolver resolver() {
        return resolver;
    }

    public @NotNull TopicPermissions permissions() {
        return permissions;
    }
}
