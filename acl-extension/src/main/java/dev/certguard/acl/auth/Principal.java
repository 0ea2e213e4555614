package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.acl.config.TopicFilters;
import dev.certguard.identity.DeviceIdentity;
import java.util.List;

/**
 * Who a connection is, once its identity has been verified: a device with its two fixed topics, or a
 * configured service with its explicit filters. Immutable but for a device's permissions, built once
 * when first asked for and then the same objects for each CONNECT of this principal; thread-safe.
 */
public final class Principal {

    private final @NotNull String name;
    /** A service's rule; {@code null} for a device, whose two topics follow from its name. */
    private final @Nullable ServiceRule rule;
    /** A device's permissions once built, with who built them ({@link TopicPermissions#of}). */
    volatile @Nullable Built permissions;

    /** Permissions and the configuration's {@link TopicPermissions} that built them. Immutable. */
    static final class Built {
        final @NotNull TopicPermissions by;
        final @NotNull List<TopicPermission> list;

        Built(final @NotNull TopicPermissions by, final @NotNull List<TopicPermission> list) {
            this.by = by;
            this.list = list;
        }
    }

    private Principal(final @NotNull String name, final @Nullable ServiceRule rule) {
        this.name = name;
        this.rule = rule;
    }

    static @NotNull Principal device(final @NotNull DeviceIdentity identity) {
        // Only the name is kept (one principal per connected device): the topics are made when asked for.
        return new Principal(identity.toString(), null);
    }

    public static @NotNull Principal service(final @NotNull ServiceRule rule) {
        return new Principal(rule.identity(), rule);
    }

    /** {@code tenant:device_id} for a device, the service name for a service. */
    public @NotNull String name() {
        return name;
    }

    public boolean isService() {
        return rule != null;
    }

    /** Topic filters this principal may publish to (a device's is one literal topic). */
    public @NotNull List<String> publish() {
        return rule == null ? List.of(name + DeviceIdentity.ATTRS) : rule.publish();
    }

    /** Topic filters this principal may subscribe to (a device's is one literal topic). */
    public @NotNull List<String> subscribe() {
        return rule == null ? List.of(name + DeviceIdentity.CONFIG) : rule.subscribe();
    }

    /** Whether a PUBLISH (or will) to {@code topic} is within this principal's rights. */
    public boolean mayPublishTo(final @NotNull String topic) {
        for (final String filter : publish()) {
            if (TopicFilters.matches(filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a message on {@code topic} may reach this principal through one of its subscribe rights. */
    public boolean mayReceive(final @NotNull String topic) {
        for (final String filter : subscribe()) {
            if (TopicFilters.matches(filter, topic)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether a subscription (as HiveMQ stores it, {@code $share/<group>/} included) lies within this
     * principal's subscribe rights.
     */
    public boolean maySubscribe(final @NotNull String subscription) {
        final String filter = TopicFilters.withoutShare(subscription);
        for (final String allowed : subscribe()) {
            if (TopicFilters.covers(allowed, filter)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether this principal may do everything {@code granted} may: the same name, and each of the
     * granted filters covered by one of this principal's. A configuration change that fails this
     * narrowed the rights of a connection that holds {@code granted}.
     */
    public boolean covers(final @NotNull Principal granted) {
        if (granted == this) {
            // The usual case when a connection authenticates: the resolution its CONNECT was granted.
            return true;
        }
        return name.equals(granted.name)
                && isService() == granted.isService()
                && coversAll(publish(), granted.publish())
                && coversAll(subscribe(), granted.subscribe());
    }

    private static boolean coversAll(final List<String> wide, final List<String> narrow) {
        for (final String filter : narrow) {
            boolean covered = false;
            for (final String candidate : wide) {
                if (TopicFilters.covers(candidate, filter)) {
                    covered = true;
                    break;
                }
            }
            if (!covered) {
                return false;
            }
        }
        return true;
    }
}
