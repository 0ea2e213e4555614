package dev.certguard.testing;

/**
 * MQTT's topic matching written from the specification (3.1.1 section 4.7, 5.0 section 4.7), as the
 * oracle of the property tests: independent of certguard's {@code TopicFilters} and of HiveMQ.
 */
public final class MqttMatching {

    private MqttMatching() {}

    /** Whether a topic name matches a filter ({@code $} topics need a literal first level). */
    public static boolean matches(final String filter, final String topic) {
        if (topic.startsWith("$") && !filter.startsWith("$")) {
            return false;
        }
        final String[] f = filter.split("/", -1);
        final String[] t = topic.split("/", -1);
        for (int i = 0; i < f.length; i++) {
            if (f[i].equals("#")) {
                return true;
            }
            if (i >= t.length || !(f[i].equals("+") || f[i].equals(t[i]))) {
                return false;
            }
        }
        return f.length == t.length;
    }

    /** Whether every topic {@code narrow} matches is matched by {@code wide}. */
    public static boolean covers(final String wide, final String narrow) {
        if (narrow.startsWith("$") && !wide.startsWith("$")) {
            return false;
        }
        final String[] w = wide.split("/", -1);
        final String[] n = narrow.split("/", -1);
        for (int i = 0; i < w.length; i++) {
            if (w[i].equals("#")) {
                return true;
            }
            if (i >= n.length || n[i].equals("#") || (!w[i].equals("+") && !w[i].equals(n[i]))) {
                return false;
            }
        }
        return w.length == n.length;
    }

    /** A subscription's filter without its {@code $share/<group>/} prefix. */
    public static String withoutShare(final String subscription) {
        if (subscription.startsWith("$share/")) {
            final int slash = subscription.indexOf('/', "$share/".length());
            return slash < 0 ? subscription : subscription.substring(slash + 1);
        }
        return subscription;
    }
}
