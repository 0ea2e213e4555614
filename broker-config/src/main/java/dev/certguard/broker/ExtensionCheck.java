package dev.certguard.broker;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.certguard.status.ExtensionStatus;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

/**
 * Says, for each required certguard extension, why it is not serving: folder or descriptor missing,
 * disabled by HiveMQ or the operator, not started, or failed closed (for instance on an invalid
 * configuration). Stateless; thread-safe.
 */
public final class ExtensionCheck {

    private ExtensionCheck() {}

    /** Problems visible on disk before HiveMQ starts. */
    public static List<String> beforeStart(final BrokerHome home) {
        final List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(home.configFile())) {
            problems.add("HiveMQ configuration " + home.configFile() + " is missing");
        }
        for (final String id : BrokerHome.REQUIRED_EXTENSIONS) {
            if (!Files.isDirectory(home.extension(id))) {
                problems.add(id + ": folder " + home.extension(id) + " is missing");
            } else if (!Files.isRegularFile(home.extension(id).resolve("hivemq-extension.xml"))) {
                problems.add(id + ": " + home.extension(id).resolve("hivemq-extension.xml")
                        + " is missing, so HiveMQ cannot load it");
            } else if (Files.exists(home.extension(id).resolve("DISABLED"))) {
                problems.add(id + ": disabled (" + home.extension(id).resolve("DISABLED") + " exists)");
            }
        }
        return problems;
    }

    /** Problems after HiveMQ has started: each extension must report itself running. */
    public static List<String> afterStart(final BrokerHome home, final MetricRegistry registry) {
        final List<String> problems = new ArrayList<>();
        for (final String id : BrokerHome.REQUIRED_EXTENSIONS) {
            @SuppressWarnings("rawtypes")
            final Gauge gauge = registry.getGauges().get(ExtensionStatus.gaugeName(id));
            if (gauge == null) {
                if (Files.exists(home.extension(id).resolve("DISABLED"))) {
                    problems.add(id + ": HiveMQ disabled it while loading (see the log above; it wrote "
                            + home.extension(id).resolve("DISABLED") + ")");
                } else {
                    problems.add(id + ": not running (HiveMQ did not load or start it; see the log above)");
                }
                continue;
            }
            final Object status = gauge.getValue();
            if (!ExtensionStatus.RUNNING.equals(status)) {
                problems.add(id + ": " + status);
            }
        }
        return problems;
    }
}
