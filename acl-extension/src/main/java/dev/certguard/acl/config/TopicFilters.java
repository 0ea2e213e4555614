package dev.certguard.acl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.nio.charset.StandardCharsets;

/**
 * MQTT topic filter syntax and matching, for operator-written service rules and will topics.
 * Stateless; thread-safe.
 */
public final class TopicFilters {

    private TopicFilters() {}

    /** Returns why {@code filter} is not a valid MQTT topic filter, or {@code null} if it is. */
    public static @Nullable String problem(final @NotNull String filter) {
        if (filter.isEmpty()) {
            return "is empty";
        }
        if (filter.getBytes(StandardCharsets.UTF_8).length > 65535) {
            return "is longer than 65535 bytes";
        }
        if (filter.startsWith("$share/")) {
            return "must not be a shared subscription; a subscribe right covers $share/<group>/ of its filter";
        }
        final String[] levels = filter.split("/", -1);
        for (int i = 0; i < levels.length; i++) {
            final String level = levels[i];
            if (level.indexOf('\u0000') >= 0) {
                return "contains NUL";
            }
            if (level.contains("#") && (!level.equals("#") || i != levels.length - 1)) {
                return "uses '#' other than as the whole last level";
            }
            if (level.contains("+") && !level.equals("+")) {
                return "uses '+' other than as a whole level";
            }
        }
        return null;
    }

    /** Whether a concrete topic name matches the filter, by MQTT's rules ({@code $} topics need a literal first level). */
    public static boolean matches(final @NotNull String filter, final @NotNull String topic) {
        if (topic.startsWith("$") && (filter.startsWith("+") || filter.startsWith("#"))) {
            return false;
        }
        final String[] f = filter.split("/", -1);
        final String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length) {
                return false;
            }
            if (!f[i].equals("+") && !f[i].equals(t[i])) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /**
     * Whether every topic that {@code narrow} matches is also matched by {@code wide}: a right to
     * {@code wide} includes the right to {@code narrow}. Both must be valid filters.
     */
    public static boolean covers(final @NotNull String wide, final @NotNull String narrow) {
        if (narrow.startsWith("$") && (wide.startsWith("+") || wide.startsWith("#"))) {
            // A filter with a literal '$' first level matches only '$' topics, which no wildcard matches.
            return false;
        }
        final String[] w = wide.split("/", -1);
        final String[] n = narrow.split("/", -1);
        for (int i = 0; i < w.length; i++) {
            if (w[i].equals("#")) {
                return true;
            }
            if (i >= n.length) {
                return false;
            }
            if (n[i].equals("#")) {
                return false;
            }
            if (w[i].equals("+")) {
                continue;
            }
            if (!w[i].equals(n[i])) {
                return false;
            }
        }
        return w.length == n.length;
    }

    /** The filter of a subscription, without a {@code $share/<group>/} prefix. */
    public static @NotNull String withoutShare(final @NotNull String subscription) {
        if (subscription.startsWith("$share/")) {
            final int slash = subscription.indexOf('/', "$share/".length());
            if (slash > 0) {
                return subscription.substring(slash + 1);
            }
        }
        return subscription;
    }
}
