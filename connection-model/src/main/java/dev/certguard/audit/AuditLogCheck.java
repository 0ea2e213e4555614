package dev.certguard.audit;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.lang.reflect.Method;
import java.util.Iterator;
import java.util.function.Function;
import org.slf4j.Logger;

/**
 * Whether the audit trail's logger writes anywhere. Through SLF4J alone only its level shows; where the
 * logging backend is logback (HiveMQ's), the logger and its ancestors are asked for appenders
 * reflectively (an extension sees only the SLF4J API), stopping where additivity stops, so a logger
 * at INFO whose events reach no appender is found too. Stateless; thread-safe.
 */
public final class AuditLogCheck {

    private static final String ROOT = Logger.ROOT_LOGGER_NAME;

    private AuditLogCheck() {}

    /**
     * Why {@code logger} writes nothing, or {@code null} when it reaches an appender (or the backend
     * cannot tell beyond its level).
     *
     * @param byName the logger of a name, for the ancestors
     */
    public static @Nullable String problem(
            final @NotNull Logger logger, final @NotNull Function<String, Logger> byName) {
        if (!logger.isInfoEnabled()) {
            return "the logger " + logger.getName() + " is off (its level is above INFO): no audit trail is written";
        }
        try {
            Object current = logger;
            String name = logger.getName();
            while (true) {
                final Method appenders = current.getClass().getMethod("iteratorForAppenders");
                if (((Iterator<?>) appenders.invoke(current)).hasNext()) {
                    return null;
                }
                final boolean additive =
                        (Boolean) current.getClass().getMethod("isAdditive").invoke(current);
                if (!additive || ROOT.equalsIgnoreCase(name)) {
                    return "the logger " + logger.getName() + " reaches no appender: no audit trail is written";
                }
                final int dot = name.lastIndexOf('.');
                name = dot < 0 ? ROOT : name.substring(0, dot);
                current = byName.apply(name);
            }
        } catch (final ReflectiveOperationException | RuntimeException notLogback) {
            // Another backend: its level is all SLF4J tells.
            return null;
        }
    }
}
