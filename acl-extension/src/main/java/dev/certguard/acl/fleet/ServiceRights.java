package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.acl.config.TopicFilters;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges the services of a configuration for rights broader than a bridge should need: a filter made
 * only of wildcards ({@code #}, {@code +}, {@code +/#}, {@code +/+}, ...) to publish or subscribe,
 * and the pair of rights to publish every device's {@code attrs} and subscribe every device's
 * {@code config}, with which a service can act as any device. Never refuses anything: the operator
 * decides. Stateless; thread-safe.
 */
public final class ServiceRights {

    /** One over-broad right of one service. Immutable; thread-safe. */
    public static final class Excess {
        private final @NotNull String service;
        private final @NotNull String permission;
        private final @NotNull String details;

        Excess(final @NotNull String service, final @NotNull String permission, final @NotNull String details) {
            this.service = service;
            this.permission = permission;
            this.details = details;
        }

        public @NotNull String service() {
            return service;
        }

        /** The permission, e.g. {@code publish #} or {@code publish +/attrs and subscribe +/config}. */
        public @NotNull String permission() {
            return permission;
        }

        public @NotNull String details() {
            return details;
        }
    }

    private static final String EVERY_ATTRS = "+/attrs";
    private static final String EVERY_CONFIG = "+/config";

    private ServiceRights() {}

    /** Every over-broad right in {@code config}, in the order of its services. */
    public static @NotNull List<Excess> judge(final @NotNull AclConfig config) {
        final List<Excess> found = new ArrayList<>();
        for (final ServiceRule service : config.services().values()) {
            wildcards(service, "publish", service.publish(), found);
            wildcards(service, "subscribe", service.subscribe(), found);
            final String attrs = covering(service.publish(), EVERY_ATTRS);
            final String deviceConfig = covering(service.subscribe(), EVERY_CONFIG);
            if (attrs != null && deviceConfig != null) {
                found.add(new Excess(
                        service.identity(),
                        "publish " + attrs + " and subscribe " + deviceConfig,
                        "may publish every device's attrs and subscribe every device's config: it can act as any"
                                + " device"));
            }
        }
        return found;
    }

    private static void wildcards(
            final ServiceRule service, final String direction, final List<String> filters, final List<Excess> found) {
        for (final String filter : filters) {
            if (onlyWildcards(TopicFilters.withoutShare(filter))) {
                found.add(new Excess(
                        service.identity(),
                        direction + " " + filter,
                        "may " + direction + " '" + filter + "', a filter made only of wildcards"));
            }
        }
    }

    static boolean onlyWildcards(final String filter) {
        for (final String level : filter.split("/", -1)) {
            if (!level.equals("+") && !level.equals("#")) {
                return false;
            }
        }
        return true;
    }

    private static String covering(final List<String> filters, final String topics) {
        for (final String filter : filters) {
            if (TopicFilters.covers(TopicFilters.withoutShare(filter), topics)) {
                return filter;
            }
        }
        return null;
    }
}
