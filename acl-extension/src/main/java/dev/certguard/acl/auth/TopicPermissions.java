package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.services.builder.TopicPermissionBuilder;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.identity.DeviceIdentity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Builds the HiveMQ default permissions for a principal, so the broker enforces them natively on
 * every PUBLISH and SUBSCRIBE without calling back into Java. Publish rights never cover shared
 * subscriptions; a subscribe right covers its filter inside any {@code $share/<group>/}. Services'
 * permissions are built once; a device's two ALLOWs once per {@link Principal} (which a device that
 * reconnects keeps, {@link RecentResolutions}), beside two DENYs every device shares. Immutable;
 * thread-safe.
 * <p>
 * HiveMQ strips trailing {@code /} from a topic before comparing it with a permission that has no
 * wildcard, so an ALLOW for {@code t:d/attrs} alone would also let {@code t:d/attrs/} and
 * {@code t:d/attrs//} through. Every ALLOW for a filter {@code F} not ending in {@code #} is
 * therefore preceded by a DENY for {@code F/+/#}, which under HiveMQ's matcher covers every deeper
 * level (empty ones included) but never {@code F} itself; the first matching permission wins. A
 * filter that starts with a wildcard is also preceded by a DENY for {@code $SYS/#}.
 */
public final class TopicPermissions {

    private final @NotNull Supplier<TopicPermissionBuilder> builders;
    private final @NotNull Map<String, List<TopicPermission>> servicePermissions;
    /**
     * Every device's deeper-levels DENYs: a device's two topics are {@code <identity>/attrs} and
     * {@code <identity>/config}, and an identity is one level without wildcards or {@code $}, so
     * {@code +/attrs/+/#} denies exactly what {@code <identity>/attrs/+/#} would for that device's
     * ALLOW (and otherwise only topics no device is allowed anyway). Built once and shared, so a
     * device's CONNECT builds two permissions instead of four.
     */
    private final @NotNull TopicPermission deviceAttrsDeeper;

    private final @NotNull TopicPermission deviceConfigDeeper;

    public TopicPermissions(final @NotNull Supplier<TopicPermissionBuilder> builders, final @NotNull AclConfig config) {
        this.builders = builders;
        final Map<String, List<TopicPermission>> services = new HashMap<>();
        for (final ServiceRule service : config.services().values()) {
            services.put(service.identity(), build(service.publish(), service.subscribe()));
        }
        this.servicePermissions = Map.copyOf(services);
        this.deviceAttrsDeeper = deny("+" + DeviceIdentity.ATTRS + "/+/#", TopicPermission.MqttActivity.PUBLISH);
        this.deviceConfigDeeper = deny("+" + DeviceIdentity.CONFIG + "/+/#", TopicPermission.MqttActivity.SUBSCRIBE);
    }

    public @NotNull List<TopicPermission> of(final @NotNull Principal principal) {
        if (principal.isService()) {
            return servicePermissions.get(principal.name());
        }
        final Principal.Built known = principal.permissions;
        if (known != null && known.by == this) {
            return known.list;
        }
        final String name = principal.name();
        final List<TopicPermission> built = List.of(
                deviceAttrsDeeper,
                allowPublish(name + DeviceIdentity.ATTRS),
                deviceConfigDeeper,
                allowSubscribe(name + DeviceIdentity.CONFIG));
        principal.permissions = new Principal.Built(this, built);
        return built;
    }

    private List<TopicPermission> build(final List<String> publish, final List<String> subscribe) {
        final List<TopicPermission> permissions = new ArrayList<>(publish.size() + subscribe.size());
        for (final String filter : publish) {
            denySys(permissions, filter, TopicPermission.MqttActivity.PUBLISH);
            denyDeeperLevels(permissions, filter, TopicPermission.MqttActivity.PUBLISH);
            permissions.add(allowPublish(filter));
        }
        if (SubscriptionGuard.needed(subscribe)) {
            // Subscriptions the guard refused carry a stand-in filter that must never be granted.
            permissions.add(deny(SubscriptionGuard.REFUSED + "#", TopicPermission.MqttActivity.SUBSCRIBE));
        }
        for (final String filter : subscribe) {
            denySys(permissions, filter, TopicPermission.MqttActivity.SUBSCRIBE);
            denyDeeperLevels(permissions, filter, TopicPermission.MqttActivity.SUBSCRIBE);
            permissions.add(allowSubscribe(filter));
        }
        return List.copyOf(permissions);
    }

    /** PUBLISH to {@code filter}, any QoS, retained or not, never to a shared subscription. */
    private TopicPermission allowPublish(final String filter) {
        return builders.get()
                .topicFilter(filter)
                .type(TopicPermission.PermissionType.ALLOW)
                .activity(TopicPermission.MqttActivity.PUBLISH)
                .qos(TopicPermission.Qos.ALL)
                .retain(TopicPermission.Retain.ALL)
                .sharedSubscription(TopicPermission.SharedSubscription.NOT_SHARED)
                .build();
    }

    /** SUBSCRIBE to {@code filter}, any QoS, also inside any {@code $share/<group>/}. */
    private TopicPermission allowSubscribe(final String filter) {
        return anyQosRetainOrShare(
                filter, TopicPermission.PermissionType.ALLOW, TopicPermission.MqttActivity.SUBSCRIBE);
    }

    /**
     * HiveMQ lets a leading wildcard match a {@code $} level, which MQTT's matching rules forbid: a
     * filter starting with a wildcard is preceded by a DENY for {@code $SYS} and everything below it.
     * (Other {@code $} topics cannot be named by a permission filter; publishing to them is refused
     * by {@link DollarTopicGuard}.)
     */
    private void denySys(
            final List<TopicPermission> permissions, final String filter, final TopicPermission.MqttActivity activity) {
        if (filter.startsWith("+") || filter.startsWith("#")) {
            permissions.add(deny("$SYS/#", activity));
        }
    }

    private void denyDeeperLevels(
            final List<TopicPermission> permissions, final String filter, final TopicPermission.MqttActivity activity) {
        if (!filter.endsWith("#")) {
            permissions.add(deny(filter + "/+/#", activity));
        }
    }

    /** A DENY for {@code filter}, any QoS, retained or not, shared or not. */
    private TopicPermission deny(final String filter, final TopicPermission.MqttActivity activity) {
        return anyQosRetainOrShare(filter, TopicPermission.PermissionType.DENY, activity);
    }

    /** {@code type} for {@code activity} on {@code filter}, any QoS, retained or not, shared or not. */
    private TopicPermission anyQosRetainOrShare(
            final String filter,
            final TopicPermission.PermissionType type,
            final TopicPermission.MqttActivity activity) {
        return builders.get()
                .topicFilter(filter)
                .type(type)
                .activity(activity)
                .qos(TopicPermission.Qos.ALL)
                .retain(TopicPermission.Retain.ALL)
                .sharedSubscription(TopicPermission.SharedSubscription.ALL)
                .sharedGroup("#")
                .build();
    }
}
