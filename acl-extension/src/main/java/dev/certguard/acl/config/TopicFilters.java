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
}
