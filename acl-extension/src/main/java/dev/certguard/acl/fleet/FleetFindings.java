package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The open findings of the fleet audit. A finding is keyed by its check, identity, certificate and
 * subject (what it is about within them, e.g. a service's permission); seeing it again updates its
 * last-seen time and count, never adds a second one, so a device that reconnects all day is one
 * finding. A finding not seen again for {@link #OPEN_FOR} closes (configuration findings close when a
 * reload no longer raises them), unless its certificate is still connected. At most
 * {@link #MAX_FINDINGS} are held per check (so low-severity ones never crowd out others); beyond that new ones are
 * counted as dropped, never stored. The count of open findings per check is kept as they come and
 * go, so a scrape reads a number instead of scanning.
 * <p>
 * Thread-safe: a concurrent map of entries whose mutable fields are atomic or volatile.
 */
public final class FleetFindings {

    private static final SafeLog log = SafeLog.of(FleetFindings.class);

    public static final int MAX_FINDINGS = 10_000;
    public static final Duration OPEN_FOR = Duration.ofHours(24);
    private static final Duration EXPIRY_EVERY = Duration.ofMinutes(1);

    private final @NotNull Clock clock;
    private final @NotNull Consumer<Finding> onNew;
    private final @NotNull Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final @NotNull Map<Check, AtomicInteger> open = new EnumMap<>(Check.class);
    private final @NotNull AtomicLong dropped = new AtomicLong();
    private volatile @NotNull Instant nextExpiry;
    private volatile @NotNull Predicate<String> connected = fingerprint -> false;

    /**
     * @param onNew told of each new finding once (for the audit event and the WARN), on the thread that
     *     raised it
     */
    public FleetFindings(final @NotNull Clock clock, final @NotNull Consumer<Finding> onNew) {
        this.clock = clock;
        this.onNew = onNew;
        for (final Check check : Check.values()) {
            open.put(check, new AtomicInteger());
        }
        nextExpiry = clock.instant().plus(EXPIRY_EVERY);
    }

    /**
     * Records that {@code check} found {@code details} about {@code identity}'s certificate; the
     * identity is escaped here and unsafe characters in the details too.
     *
     * @param subject what the finding is about within the identity and certificate (e.g. a
     *     permission), or {@code null} when they say it all
     * @return whether the finding is new (not open before)
     */
    public boolean record(
            final @NotNull Check check,
            final @Nullable String identity,
            final @Nullable String certificateSha256,
            final @Nullable String subject,
            final @NotNull String details) {
        return record(check, identity, certificateSha256, subject, () -> details, Duration.ZERO);
    }

    /**
     * As {@link #record(Check, String, String, String, String)}, for details that cost something to
     * write and change only slowly (a time left): they are written for a new finding and, for an open
     * one, at most once per {@code refresh}, so a finding that every CONNECT of a fleet raises does
     * not build its text on every CONNECT.
     */
    public boolean record(
            final @NotNull Check check,
            final @Nullable String identity,
            final @Nullable String certificateSha256,
            final @Nullable String subject,
            final @NotNull Supplier<String> details,
            final @NotNull Duration refresh) {
        final Instant now = clock.instant();
        expireIfDue(now);
        final Key key = new Key(
                check,
                identity == null ? "-" : UntrustedText.escape(identity),
                certificateSha256 == null ? "-" : certificateSha256,
                subject == null ? "" : subject);
        final Entry existing = entries.get(key);
        if (existing != null) {
            if (existing.seen(now, refresh)) {
                existing.details = details(details.get());
            }
            return false;
        }
        if (open.get(check).get() >= MAX_FINDINGS) {
            if (dropped.incrementAndGet() % 1000 == 1) {
                log.warn(
                        "fleet audit: {} findings of {} are open; new ones are counted in findings-dropped, not kept",
                        MAX_FINDINGS,
                        check.label());
            }
            return false;
        }
        final Entry entry = new Entry(key, details(details.get()), now);
        final Entry raced = entries.putIfAbsent(key, entry);
        if (raced != null) {
            raced.seen(now, Duration.ZERO);
            raced.details = entry.details;
            return false;
        }
        open.get(check).incrementAndGet();
        onNew.accept(entry.snapshot());
        return true;
    }

    /** Details hold text certguard wrote around untrusted values: unsafe characters escaped, quotes kept. */
    private static String details(final String details) {
        return UntrustedText.neutralise(details, UntrustedText.MAX_LOG_ARGUMENT);
    }

    /**
     * Closes every open finding of {@code check} whose subject is not in {@code still}: a reload that
     * no longer raises a configuration finding closes it.
     */
    public void retain(final @NotNull Check check, final @NotNull Set<String> still) {
        for (final Entry entry : entries.values()) {
            if (entry.key.check == check && !still.contains(entry.key.subject)) {
                close(entry);
            }
        }
    }

    /**
     * Tells which certificates are connected now: their findings stay open however long ago their
     * CONNECT was (connections last days).
     */
    public void connectedBy(final @NotNull Predicate<String> isConnected) {
        this.connected = isConnected;
    }

    /** The number of open findings of {@code check}. */
    public int open(final @NotNull Check check) {
        expireIfDue(clock.instant());
        return open.get(check).get();
    }

    /** New findings not stored because {@link #MAX_FINDINGS} were open. */
    public long dropped() {
        return dropped.get();
    }

    /** Up to {@code limit} open findings, the most recently seen first. */
    public @NotNull List<Finding> newestFirst(final int limit) {
        expireIfDue(clock.instant());
        final List<Finding> all = new ArrayList<>(entries.size());
        for (final Entry entry : entries.values()) {
            all.add(entry.snapshot());
        }
        all.sort(Comparator.comparing(Finding::lastSeen).reversed().thenComparing(Finding::toString));
        return all.size() <= limit ? all : List.copyOf(all.subList(0, limit));
    }

    private void expireIfDue(final Instant now) {
        if (now.isBefore(nextExpiry)) {
            return;
        }
        nextExpiry = now.plus(EXPIRY_EVERY);
        final Instant closeBefore = now.minus(OPEN_FOR);
        for (final Entry entry : entries.values()) {
            // Findings of a state the check re-judges stay until it closes them.
            if (entry.key.check.expires()
                    && entry.lastSeen.isBefore(closeBefore)
                    && !connected.test(entry.key.certificateSha256)) {
                close(entry);
            }
        }
    }

    private void close(final Entry entry) {
        // Counted only by the one remover that wins, so concurrent closes never count twice.
        if (entries.remove(entry.key, entry)) {
            open.get(entry.key.check).decrementAndGet();
        }
    }

    private static final class Key {
        final @NotNull Check check;
        final @NotNull String identity;
        final @NotNull String certificateSha256;
        final @NotNull String subject;

        Key(final Check check, final String identity, final String certificateSha256, final String subject) {
            this.check = check;
            this.identity = identity;
            this.certificateSha256 = certificateSha256;
            this.subject = subject;
        }

        @Override
        public boolean equals(final Object other) {
            if (!(other instanceof Key)) {
                return false;
            }
            final Key that = (Key) other;
            return check == that.check
                    && identity.equals(that.identity)
                    && certificateSha256.equals(that.certificateSha256)
                    && subject.equals(that.subject);
        }

        @Override
        public int hashCode() {
            return Objects.hash(check, identity, certificateSha256, subject);
        }
    }

    private static final class Entry {
        final @NotNull Key key;
        final @NotNull Instant firstSeen;
        final @NotNull AtomicLong count = new AtomicLong(1);
        volatile @NotNull Instant lastSeen;
        volatile @NotNull String details;
        /** When {@link #details} were last written. */
        volatile @NotNull Instant written;

        Entry(final Key key, final String details, final Instant now) {
            this.key = key;
            this.details = details;
            this.firstSeen = now;
            this.lastSeen = now;
            this.written = now;
        }

        /** Counts one more sighting; whether the details are due to be written again. */
        boolean seen(final Instant now, final Duration refresh) {
            count.incrementAndGet();
            lastSeen = now;
            if (refresh.isZero() || !now.isBefore(written.plus(refresh))) {
                written = now;
                return true;
            }
            return false;
        }

        Finding snapshot() {
            return new Finding(
                    key.check, key.identity, key.certificateSha256, details, firstSeen, lastSeen, count.get());
        }
    }
}
