package dev.certguard.reload;

import com.codahale.metrics.Counter;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.text.SafeLog;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Holds an extension's configuration in force and replaces it only with one that parsed, validated
 * and applied completely: an invalid file (or one that fails to apply) leaves the last good
 * configuration in force, logs a WARN listing every problem, and counts
 * {@code dev.certguard.<id>.config.reload.failures}; a good one logs one INFO line saying what
 * changed and counts {@code config.reload.successes}. Thread-safe: reloads are serialised; readers
 * see the configuration in force through a volatile read.
 *
 * @param <T> the immutable configuration type
 */
public final class ConfigReload<T> {

    private static final SafeLog log = SafeLog.of(ConfigReload.class);

    /** Reads and validates the file; throws with every problem when it is not valid. */
    @FunctionalInterface
    public interface Parser<T> {
        @NotNull T parse() throws InvalidConfigException;
    }

    /**
     * Puts a new configuration in force (everything derived from it is built before anything is
     * swapped) and says what changed, or returns {@code null} when nothing effective did.
     */
    @FunctionalInterface
    public interface Applier<T> {
        @Nullable String apply(@NotNull T previous, @NotNull T next);
    }

    /** Told of every outcome, for the audit trail. */
    public interface Outcome {
        Outcome NONE = new Outcome() {
            @Override
            public void applied(final @NotNull String change) {}

            @Override
            public void rejected(final @NotNull String problems) {}
        };

        void applied(@NotNull String change);

        void rejected(@NotNull String problems);
    }

    private final @NotNull String extension;
    private final @NotNull String file;
    private volatile @NotNull Outcome outcome = Outcome.NONE;
    private final @NotNull Parser<T> parser;
    private final @NotNull Applier<T> applier;
    private final @NotNull Counter successes;
    private final @NotNull Counter failures;
    private final AtomicReference<T> current;

    /** Counts the outcomes of reloading {@code conf/config.xml}. */
    public static final MetricDefinition SUCCESSES = MetricDefinition.counter(
            "config.reload.successes", "Edits of conf/config.xml put in force on the running broker.");

    public static final MetricDefinition FAILURES = MetricDefinition.counter(
            "config.reload.failures",
            "Edits of conf/config.xml refused (invalid, or failed to apply); the last good configuration"
                    + " stays in force and a WARN lists every problem.");
    /** The reload metrics of every certguard extension. */
    public static final List<MetricDefinition> DEFINITIONS = List.of(SUCCESSES, FAILURES);

    public ConfigReload(
            final @NotNull String extension,
            final @NotNull String file,
            final @NotNull T initial,
            final @NotNull Parser<T> parser,
            final @NotNull Applier<T> applier,
            final @NotNull MetricRegistry registry) {
        this(
                extension,
                file,
                initial,
                parser,
                applier,
                new ExtensionMetrics(registry, extension, DEFINITIONS),
                SUCCESSES,
                FAILURES);
    }

    /**
     * A reload of another file than {@code conf/config.xml}, counted by its own definitions.
     */
    public ConfigReload(
            final @NotNull String extension,
            final @NotNull String file,
            final @NotNull T initial,
            final @NotNull Parser<T> parser,
            final @NotNull Applier<T> applier,
            final @NotNull ExtensionMetrics metrics,
            final @NotNull MetricDefinition successes,
            final @NotNull MetricDefinition failures) {
        this.extension = extension;
        this.file = file;
        this.parser = parser;
        this.applier = applier;
        this.current = new AtomicReference<>(initial);
        this.successes = metrics.counter(successes);
        this.failures = metrics.counter(failures);
    }

    /** Who is told of each outcome from now on. */
    public @NotNull ConfigReload<T> reporting(final @NotNull Outcome to) {
        outcome = to;
        return this;
    }

    /** The configuration in force. */
    public @NotNull T current() {
        return current.get();
    }

    /** Reads the file again and puts it in force if it is valid; returns whether it was. */
    public synchronized boolean reload() {
        final T next;
        try {
            next = parser.parse();
        } catch (final InvalidConfigException e) {
            failures.inc();
            log.warn(
                    "{}: {} changed but is not valid, the last good configuration stays in force ({} problems):",
                    extension,
                    file,
                    e.problems().size());
            // One line per problem: each is bounded, so no problem is cut off by a bound on a joined line.
            e.problems().forEach(problem -> log.warn("{}:   {}", extension, problem));
            outcome.rejected(String.join("; ", e.problems()));
            return false;
        }
        final T previous = current.get();
        final String change;
        try {
            change = applier.apply(previous, next);
        } catch (final RuntimeException e) {
            failures.inc();
            log.warn(
                    "{}: {} could not be applied, the last good configuration stays in force: {}",
                    extension,
                    file,
                    e.toString());
            outcome.rejected(file + ": " + e);
            return false;
        }
        current.set(next);
        successes.inc();
        final String said = change == null ? "no change that affects clients" : change;
        log.info("{}: {} reloaded: {}", extension, file, said);
        outcome.applied(file + ": " + said);
        return true;
    }

    /** Removes the counters, for extension stop. */
    public static void removeMetrics(final @NotNull MetricRegistry registry, final @NotNull String extension) {
        final ExtensionMetrics metrics = new ExtensionMetrics(registry, extension, DEFINITIONS);
        metrics.remove(SUCCESSES, null);
        metrics.remove(FAILURES, null);
    }
}
