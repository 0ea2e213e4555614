package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.services.builder.TopicPermissionBuilder;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds the HiveMQ default permissions for a principal, so the broker enforces them natively on
 * every PUBLISH and SUBSCRIBE without calling back into Java. Publish rights never cover shared
 * subscriptions; a subscribe right covers its filter inside any {@code $share/<group>/}. Services'
 * permissions are built once; a device's two are built per CONNECT. Immutable; thread-safe.
 */
public final class TopicPermissions {

    private final @NotNull Supplier<TopicPermissionBuilder> builders;
    private final @NotNull Map<String, List<TopicPermission>> servicePermissions;

    public TopicPermissions(final @NotNull Supplier<TopicPermissionBuilder> builders, final @NotNull AclConfig config) {
        this.builders = builders;
        final Map<String, List<TopicPermission>> services = new HashMap<>();
        for (final ServiceRule service : config.services().values()) {
            services.put(service.identity(), build(service.publish(), service.subscribe()));
        }
        this.servicePermissions = Map.copyOf(services);
    }

    public @NotNull List<TopicPermission> of(final @NotNull Principal principal) {
        if (principal.isService()) {
            return servicePermissions.get(principal.name());
        }
        return build(principal.publish(), principal.subscribe());
    }

    private List<TopicPermission> build(final List<String> publish, final List<String> subscribe) {
        final List<TopicPermission> permissions = new ArrayList<>(publish.size() + subscribe.size());
        for (final String filter : publish) {
            permissions.add(builders.get()
                    .topicFilter(filter)
                    .type(TopicPermission.PermissionType.ALLOW)
                    .activity(TopicPermission.MqttActivity.PUBLISH)
                    .qos(TopicPermission.Qos.ALL)
                    .retain(TopicPermission.Retain.ALL)
                    .sharedSubscription(TopicPermission.SharedSubscription.NOT_SHARED)
                    .build());
        }
        for (final String filter : subscribe) {
            permissions.add(builders.get()
                    .topicFilter(filter)
                    .type(TopicPermission.PermissionType.ALLOW)
                    .activity(TopicPermission.MqttActivity.SUBSCRIBE)
                    .qos(TopicPermission.Qos.ALL)
                    .sharedSubscription(TopicPermission.SharedSubscription.ALL)
                    .sharedGroup("#")
                    .build());
        }
        return List.copyOf(permissions);
    }
}
