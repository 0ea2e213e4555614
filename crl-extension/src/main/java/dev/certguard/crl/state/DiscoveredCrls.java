package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.config.ClientDistributionPoints;
import dev.certguard.crl.source.CrlSource;
import dev.certguard.crl.source.Fetch;
import dev.certguard.crl.source.HttpSource;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The CRL distribution points discovered in client certificates (and in the Freshest CRL extension of
 * CRLs in use): each URL under an allowed prefix is fetched the first time a CONNECT needs it, once
 * however many CONNECTs wait for it (single flight), then refreshed like a configured source, kept on
 * disk like one, and dropped after {@code idle-seconds} without a connected or connecting certificate
 * (or a CRL in use, for a delta's URL) naming it. Redirects are never followed (they could leave the
 * allowed prefix), a URL that serves another partition's CRL is refused, and at most
 * {@value #FETCHES_IN_FLIGHT} downloads run at once (more wait their turn). At most
 * {@code max-sources} URLs are kept: at the limit an idle one is dropped first, else the URL is not
 * fetched. Counted in aggregate, never one metric per URL. Nothing here blocks: fetches are
 * asynchronous and a CONNECT waits on a future. Thread-safe.
 */
public final class DiscoveredCrls {

    private static final SafeLog log = SafeLog.of(DiscoveredCrls.class);
    /** The longest a URL whose last fetch failed waits before a CONNECT may fetch it again. */
    static final Duration RETRY_AT_MOST = Duration.ofSeconds(30);
    /** How often a refused or capped URL is logged at most (a fleet reconnecting would repeat it). */
    private static final long WARN_EVERY_SECONDS = 60;

    private static final long NEVER = Long.MIN_VALUE;
    /** The most downloads of discovered URLs at once (a restart storm naming thousands waits its turn). */
    static final int FETCHES_IN_FLIGHT = 64;

    /** The settings in force: discovery's own and those it shares with configured sources. */
    public static final class Settings {
        final @NotNull ClientDistributionPoints points;
        final @NotNull Duration timeout;
        final long maxBytes;
        final @NotNull Duration refresh;
        final @NotNull Set<String> configured;

        /**
         * @param configured the URLs of configured sources, which are never discovered
         */
        public Settings(
                final @NotNull ClientDistributionPoints points,
                final @NotNull Duration timeout,
                final long maxBytes,
                final @NotNull Duration refresh,
                final @NotNull Set<String> configured) {
            this.points = points;
            this.timeout = timeout;
            this.maxBytes = maxBytes;
            this.refresh = refresh;
            this.configured = Set.copyOf(configured);
        }

        Duration retry() {
            return refresh.compareTo(RETRY_AT_MOST) < 0 ? refresh : RETRY_AT_MOST;
        }

        boolean allows(final String url) {
            return points.allows(url) && !configured.contains(url);
        }
    }

    /** One discovered URL. */
    private final class Entry {
        final @NotNull String url;
        volatile @NotNull HttpSource source;
        volatile long lastUsedSecond;
        volatile long lastAttemptSecond = NEVER;
        /** The load running or last run (it never waits on another URL's); {@code null} before the first. */
        @Nullable CompletableFuture<Void> load;
        /** The CRL this URL put in use, {@code null} before one verified. */
        volatile @Nullable VerifiedCrl crl;

        Entry(final @NotNull String url, final @NotNull HttpSource source, final long nowSecond) {
            this.url = url;
            this.source = source;
            this.lastUsedSecond = nowSecond;
        }

        void touch(final long nowSecond) {
            if (lastUsedSecond < nowSecond) {
                lastUsedSecond = nowSecond;
            }
        }

        synchronized boolean loading() {
            return load != null && !load.isDone();
        }

        /**
         * The load to wait for: the one running, or a new one when {@code due} says so and none runs;
         * {@code null} when there is nothing to wait for.
         */
        @Nullable CompletableFuture<Void> loadIf(final boolean due, final long nowSecond) {
            final CompletableFuture<Void> started;
            synchronized (this) {
                if (load != null && !load.isDone()) {
                    return load;
                }
                if (!due) {
                    return null;
                }
                lastAttemptSecond = nowSecond;
                started = new CompletableFuture<>();
                load = started;
            }
            // Outside the lock: a download that ends at once runs its continuation on this thread.
            queue(() -> fetch(this, started));
            return started;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final @NotNull HttpClient http;
    private final @NotNull Supplier<CrlLoader> loader;
    private final @NotNull RevocationState state;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final AtomicLong lastRefusedWarn = new AtomicLong(-WARN_EVERY_SECONDS);
    private final AtomicLong lastFullWarn = new AtomicLong(-WARN_EVERY_SECONDS);
    /** The second a search for an idle URL to drop found none (no second search within that second). */
    private final AtomicLong noneIdleSecond = new AtomicLong(NEVER);

    private final Queue<Supplier<CompletableFuture<Void>>> waiting = new ConcurrentLinkedQueue<>();
    private final AtomicInteger running = new AtomicInteger();
    private final CrlLoader.Outcome outcome = new CrlLoader.Outcome() {
        @Override
        public void success(final @NotNull CrlSource source, final @Nullable VerifiedCrl crl) {
            final Entry entry = entries.get(source.name());
            if (crl != null && entry != null) {
                entry.crl = crl;
            }
        }

        @Override
        public void failure(final @NotNull CrlSource source) {
            metrics.discoveredFailure();
        }

        @Override
        public @Nullable String refusal(final @NotNull CrlSource source, final @NotNull VerifiedCrl crl) {
            if (crl.isDelta()
                    || crl.scope().names().isEmpty()
                    || crl.scope().names().contains("uri:" + source.name())) {
                return null;
            }
            // Signed data, but for another partition: the devices that name this URL are not what it
            // covers, and using it for the partition it names would let one URL stand in for another.
            return "its Issuing Distribution Point names "
                    + UntrustedText.escape(String.join(", ", crl.scope().names()))
                    + ", not the URL it was fetched from";
        }
    };

    private volatile @NotNull Settings settings;
    private volatile boolean stopped;
    private volatile @NotNull DiscoveredUrlsFile file = DiscoveredUrlsFile.none();

    /**
     * @param http the client for every discovered URL; it must not follow redirects
     * @param loader what puts CRLs in use under the configuration in force
     */
    public DiscoveredCrls(
            final @NotNull HttpClient http,
            final @NotNull Supplier<CrlLoader> loader,
            final @NotNull RevocationState state,
            final @NotNull Settings settings,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock) {
        if (http.followRedirects() != HttpClient.Redirect.NEVER) {
            throw new IllegalArgumentException("a discovered URL must never be redirected out of its prefix");
        }
        this.http = http;
        this.loader = loader;
        this.state = state;
        this.settings = settings;
        this.metrics = metrics;
        this.clock = clock;
        metrics.discovered(entries::size, this::entriesInUse);
    }

    /**
     * Keeps the list of URLs in {@code kept} from now on, after registering the URLs it holds that the
     * configuration still allows and putting in use the copies kept on disk of their CRLs (verified
     * like downloads, rollback-checked, complete CRLs before the deltas that build on them). Reads
     * files: call once, at start.
     *
     * @return how many copies are in use
     */
    public int restore(final @NotNull DiscoveredUrlsFile kept) {
        final Settings current = settings;
        final long now = clock.instant().getEpochSecond();
        final List<Entry> registered = new ArrayList<>();
        for (final Map.Entry<String, Long> url : kept.read().entrySet()) {
            if (current.allows(url.getKey()) && entries.size() < current.points.maxSources()) {
                // A second in the future (a clock set back, an edited file) counts as now.
                final long lastUsed = Math.max(0, Math.min(now, url.getValue()));
                final Entry entry = new Entry(url.getKey(), source(url.getKey(), current), lastUsed);
                if (entries.putIfAbsent(url.getKey(), entry) == null) {
                    registered.add(entry);
                }
            }
        }
        file = kept;
        final CrlLoader now0 = loader.get();
        final List<CrlSource> later = new ArrayList<>();
        int restored = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (final Entry entry : registered) {
                if (pass == 1 && !later.contains(entry.source)) {
                    continue;
                }
                final VerifiedCrl crl = now0.restoreCopy(entry.source, pass == 0 ? later : null);
                if (crl != null) {
                    entry.crl = crl;
                    restored++;
                }
            }
        }
        if (!registered.isEmpty()) {
            log.info(
                    "crl-extension: {} discovered CRL distribution points kept from before the restart, {} of"
                            + " their copies in use until fetched again",
                    registered.size(),
                    restored);
        }
        return restored;
    }

    /** Whether discovery is on. */
    public boolean enabled() {
        return settings.points.enabled();
    }

    /**
     * Applies a new configuration: URLs no prefix allows any more (all of them when discovery is
     * off) are dropped; the others are kept, with new download settings.
     */
    public void configure(final @NotNull Settings next) {
        final Settings previous = settings;
        settings = next;
        for (final Entry entry : entries.values()) {
            if (!next.allows(entry.url)) {
                drop(entry, "no longer allowed by the configuration");
            } else if (!previous.timeout.equals(next.timeout) || previous.maxBytes != next.maxBytes) {
                entry.source = source(entry.url, next);
            }
        }
    }

    /** Stops fetching; nothing is put in use after this. */
    public void stop() {
        stopped = true;
    }

    /**
     * Marks the URLs a connected or connecting certificate names as in use (no fetch), so they are not
     * dropped as idle.
     */
    public void touch(final @NotNull Collection<URI> urls) {
        if (entries.isEmpty()) {
            return;
        }
        final long now = clock.instant().getEpochSecond();
        for (final URI uri : urls) {
            final Entry entry = entries.get(uri.toString());
            if (entry != null) {
                entry.touch(now);
            }
        }
    }

    /**
     * What a CONNECT whose certificate names {@code urls} and lacks a CRL must wait for: the first load
     * of each allowed URL not loaded yet (shared with every other CONNECT naming it), or a new load of
     * one whose last attempt is older than the retry delay, and then the deltas a complete CRL so
     * loaded names; {@code null} when there is nothing to wait for (the CONNECT is decided on the CRLs
     * in use now).
     */
    public @Nullable CompletableFuture<Void> ensure(final @NotNull Collection<URI> urls) {
        return ensure(urls, true);
    }

    private @Nullable CompletableFuture<Void> ensure(final Collection<URI> urls, final boolean withDeltas) {
        final Settings current = settings;
        if (!current.points.enabled() || stopped) {
            return null;
        }
        final long now = clock.instant().getEpochSecond();
        List<CompletableFuture<Void>> waits = null;
        for (final URI uri : urls) {
            final String url = uri.toString();
            if (current.configured.contains(url)) {
                continue;
            }
            if (!current.points.allows(url)) {
                if (rateLimited(lastRefusedWarn, now)) {
                    log.warn(
                            "crl-extension: a certificate names the CRL distribution point {}, which is under no"
                                    + " <allowed-url-prefix>; it is not fetched (logged at most once a minute)",
                            UntrustedText.escape(url));
                }
                continue;
            }
            Entry entry = entries.get(url);
            if (entry == null) {
                entry = register(url, current, now);
                if (entry == null) {
                    continue;
                }
            }
            entry.touch(now);
            final boolean due = entry.lastAttemptSecond == NEVER
                    || now - entry.lastAttemptSecond >= current.retry().getSeconds();
            final CompletableFuture<Void> load = entry.loadIf(due, now);
            CompletableFuture<Void> wait = null;
            if (load != null) {
                final Entry loaded = entry;
                wait = withDeltas ? load.thenCompose(ignored -> deltasOf(loaded)) : load;
            } else if (withDeltas) {
                final CompletableFuture<Void> deltas = deltasOf(entry);
                wait = deltas.isDone() ? null : deltas;
            }
            if (wait != null) {
                if (waits == null) {
                    waits = new ArrayList<>(urls.size());
                }
                waits.add(wait);
            }
        }
        return waits == null ? null : CompletableFuture.allOf(waits.toArray(new CompletableFuture[0]));
    }

    /**
     * The loads of the deltas the complete CRL from {@code entry} names (its Freshest CRL), not
     * following any further: a load never waits on another, so no two URLs can wait on each other.
     */
    private CompletableFuture<Void> deltasOf(final Entry entry) {
        final VerifiedCrl crl = entry.crl;
        if (crl == null || crl.isDelta() || crl.freshest().isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        final List<URI> deltas = new ArrayList<>(crl.freshest().size());
        for (final URI uri : crl.freshest()) {
            if (!uri.toString().equals(entry.url)) {
                deltas.add(uri);
            }
        }
        final CompletableFuture<Void> loads = ensure(deltas, false);
        return loads == null ? CompletableFuture.completedFuture(null) : loads;
    }

    /**
     * The deltas {@code urls} name (Freshest CRLs of complete CRLs in use that have none applied yet),
     * fetched for a CONNECT; {@code null} when none is to be waited for.
     */
    public @Nullable CompletableFuture<Void> ensureDeltas(final @NotNull Collection<URI> urls) {
        return urls.isEmpty() ? null : ensure(urls, false);
    }

    /** Fetches the deltas {@code crl} names in the background, when discovery allows their URLs. */
    public void prefetchDeltas(final @NotNull VerifiedCrl crl) {
        if (!crl.isDelta() && !crl.freshest().isEmpty()) {
            ensure(crl.freshest(), false);
        }
    }

    /**
     * Refreshes every discovered URL not loading now (conditionally: an unchanged CRL is not
     * downloaded again; at most {@value #FETCHES_IN_FLIGHT} at once), after dropping idle ones and
     * ones the configuration no longer allows.
     *
     * @param inUse calls its argument with the URLs each connected certificate names
     * @return completes when every refresh has ended
     */
    public @NotNull CompletableFuture<Void> refresh(final @NotNull Consumer<Consumer<Collection<URI>>> inUse) {
        dropIdle(inUse);
        save(); // when each URL was last named
        final List<CompletableFuture<Void>> loads = new ArrayList<>();
        final long now = clock.instant().getEpochSecond();
        for (final Entry entry : entries.values()) {
            if (stopped) {
                break;
            }
            final CompletableFuture<Void> load = entry.loadIf(true, now);
            if (load != null) {
                loads.add(load);
            }
        }
        return CompletableFuture.allOf(loads.toArray(new CompletableFuture[0]));
    }

    /** How many URLs are kept. */
    public int size() {
        return entries.size();
    }

    /** Whether {@code url} is kept. */
    public boolean holds(final @NotNull String url) {
        return entries.containsKey(url);
    }

    /** Revoked serials in the CRLs in use that came from discovered URLs (read at a scrape). */
    private long entriesInUse() {
        final RevocationSnapshot snapshot = state.snapshot();
        long total = 0;
        for (final Entry entry : entries.values()) {
            final VerifiedCrl crl = entry.crl;
            if (crl != null && snapshot.crl(crl.key()) == crl) {
                total += crl.revoked().size();
            }
        }
        return total;
    }

    private @Nullable Entry register(final String url, final Settings current, final long now) {
        if (entries.size() >= current.points.maxSources()) {
            dropLeastRecentlyUsedIdle(current, now);
        }
        if (entries.size() >= current.points.maxSources()) {
            if (rateLimited(lastFullWarn, now)) {
                log.warn(
                        "crl-extension: max-sources {} reached and none is idle; {} is not fetched and the"
                                + " certificates naming it have no CRL (logged at most once a minute)",
                        current.points.maxSources(),
                        UntrustedText.escape(url));
            }
            return null;
        }
        final Entry entry = entries.computeIfAbsent(url, u -> new Entry(u, source(u, current), now));
        save();
        return entry;
    }

    private void dropLeastRecentlyUsedIdle(final Settings current, final long now) {
        if (noneIdleSecond.get() == now) {
            return; // searched this second already: a reconnecting fleet does not scan once per CONNECT
        }
        Entry oldest = null;
        for (final Entry entry : entries.values()) {
            if (idle(entry, current, now) && (oldest == null || entry.lastUsedSecond < oldest.lastUsedSecond)) {
                oldest = entry;
            }
        }
        if (oldest != null) {
            drop(oldest, "idle, to make room under max-sources");
        } else {
            noneIdleSecond.set(now);
        }
    }

    private void dropIdle(final Consumer<Consumer<Collection<URI>>> inUse) {
        if (entries.isEmpty()) {
            return;
        }
        inUse.accept(this::touch);
        // A delta's URL is named by the complete CRL in use, not by certificates.
        for (final VerifiedCrl crl : state.snapshot().crls().values()) {
            if (!crl.isDelta() && !crl.freshest().isEmpty()) {
                touch(crl.freshest());
            }
        }
        final Settings current = settings;
        final long now = clock.instant().getEpochSecond();
        for (final Entry entry : entries.values()) {
            if (!current.allows(entry.url)) {
                drop(entry, "no longer allowed by the configuration");
            } else if (idle(entry, current, now)) {
                drop(
                        entry,
                        "no certificate named it for " + current.points.idle().getSeconds() + " s");
            }
        }
    }

    private static boolean idle(final Entry entry, final Settings current, final long now) {
        return !entry.loading()
                && now - entry.lastUsedSecond > current.points.idle().getSeconds();
    }

    /**
     * Forgets the URL. Its complete CRL stops being used (its devices are unavailable until named
     * again) unless another source delivers it; a delta stays applied to its base until a newer base
     * or its own staleness ends it, since taking it away would bring back what it revoked.
     */
    private void drop(final Entry entry, final String why) {
        if (!entries.remove(entry.url, entry)) {
            return;
        }
        final VerifiedCrl crl = entry.crl;
        if (crl != null && !crl.isDelta()) {
            state.remove(crl, entry.url);
        }
        loader.get().forget(entry.source);
        save();
        log.info(
                "crl-extension: discovered CRL distribution point {} dropped ({})",
                UntrustedText.escape(entry.url),
                why);
    }

    /** Runs {@code fetch} now, or when one of the {@value #FETCHES_IN_FLIGHT} downloads in flight ends. */
    private void queue(final Supplier<CompletableFuture<Void>> fetch) {
        waiting.add(fetch);
        drain();
    }

    private void drain() {
        while (!waiting.isEmpty()) {
            final int busy = running.get();
            if (busy >= FETCHES_IN_FLIGHT) {
                return; // the next download to end drains again
            }
            if (!running.compareAndSet(busy, busy + 1)) {
                continue;
            }
            final Supplier<CompletableFuture<Void>> next = waiting.poll();
            if (next == null) {
                running.decrementAndGet();
                continue;
            }
            CompletableFuture<Void> done;
            try {
                done = next.get();
            } catch (final RuntimeException e) {
                done = CompletableFuture.completedFuture(null);
            }
            if (done.isDone()) {
                running.decrementAndGet();
            } else {
                done.whenComplete((ignored, e) -> {
                    running.decrementAndGet();
                    drain();
                });
            }
        }
    }

    /** Downloads the entry's CRL and puts it in use; {@code done} completes when that has ended, whatever the outcome. */
    private CompletableFuture<Void> fetch(final Entry entry, final CompletableFuture<Void> done) {
        if (stopped || entries.get(entry.url) != entry || !settings.allows(entry.url)) {
            done.complete(null);
            return done;
        }
        metrics.discoveredFetch();
        CompletableFuture<Fetch> fetch;
        try {
            fetch = entry.source.fetch();
        } catch (final RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        fetch.whenComplete((result, e) -> {
            try {
                if (stopped || entries.get(entry.url) != entry) {
                    return;
                }
                // The loader in force now: a reload while this download ran replaced the one it started under.
                final CrlLoader current = loader.get();
                if (e != null) {
                    current.failed(
                            entry.source,
                            e instanceof CompletionException && e.getCause() != null ? e.getCause() : e,
                            outcome);
                } else {
                    current.handle(entry.source, result, outcome);
                }
            } catch (final RuntimeException failure) {
                log.warn(
                        "crl-extension: CRL from {} not used ({})",
                        UntrustedText.escape(entry.url),
                        UntrustedText.escape(failure.toString()));
                metrics.discoveredFailure();
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    private HttpSource source(final String url, final Settings current) {
        return new HttpSource(URI.create(url), http, current.timeout, current.maxBytes);
    }

    private void save() {
        file.save(() -> {
            final Map<String, Long> urls = new LinkedHashMap<>();
            entries.values().forEach(entry -> urls.put(entry.url, entry.lastUsedSecond));
            return urls;
        });
    }

    private static boolean rateLimited(final AtomicLong last, final long now) {
        final long previous = last.get();
        return now - previous >= WARN_EVERY_SECONDS && last.compareAndSet(previous, now);
    }
}
