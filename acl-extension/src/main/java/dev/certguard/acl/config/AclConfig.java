package dev.certguard.acl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.acl.fleet.FleetAuditConfig;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The validated acl-extension configuration. Immutable; thread-safe.
 */
public final class AclConfig {

    private final boolean requireClientIdEqualsIdentity;
    private final @NotNull Set<String> usernameIdentityListeners;
    private final @NotNull Map<String, ServiceRule> services;
    private final @NotNull FleetAuditConfig fleetAudit;

    public AclConfig(
            final boolean requireClientIdEqualsIdentity,
            final @NotNull Set<String> usernameIdentityListeners,
            final @NotNull List<ServiceRule> services) {
        this(requireClientIdEqualsIdentity, usernameIdentityListeners, services, FleetAuditConfig.DEFAULTS);
    }

    public AclConfig(
            final boolean requireClientIdEqualsIdentity,
            final @NotNull Set<String> usernameIdentityListeners,
            final @NotNull List<ServiceRule> services,
            final @NotNull FleetAuditConfig fleetAudit) {
        this.fleetAudit = fleetAudit;
        this.requireClientIdEqualsIdentity = requireClientIdEqualsIdentity;
        this.usernameIdentityListeners = Set.copyOf(usernameIdentityListeners);
        final Map<String, ServiceRule> byIdentity = new LinkedHashMap<>();
        for (final ServiceRule service : services) {
            byIdentity.put(service.identity(), service);
        }
        this.services = Map.copyOf(byIdentity);
    }

    public boolean requireClientIdEqualsIdentity() {
        return requireClientIdEqualsIdentity;
    }

    /** Listener names on which the MQTT username, not a certificate, is the identity (testing only). */
    public @NotNull Set<String> usernameIdentityListeners() {
        return usernameIdentityListeners;
    }

    /** The service whose identity is exactly {@code name}, or {@code null}. */
    public @Nullable ServiceRule service(final @NotNull String name) {
        return services.get(name);
    }

    public @NotNull Map<String, ServiceRule> services() {
        return services;
    }

    /** The {@code <fleet-audit>} settings. */
    public @NotNull FleetAuditConfig fleetAudit() {
        return fleetAudit;
    }
}
