package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.config.ClientDistributionPoints;
import dev.certguard.crl.source.CrlSource;
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
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The CRL distribution points discovered in client certificates (and in the Freshest CRL extension of
 * CRLs in use): each URL under an allowed prefix is fetched the first time a CONNECT needs it, once
 * however many CONNECTs wait for it (single flight), then refreshed like a configured source, kept on
 * disk like one, and dropped after {@code idle-seconds} without a connected or connecting certificate
 * naming it. Redirects are never followed (they could leave the allowed prefix). At most
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
    /** The most discovered URLs refreshed at once. */
    static final int REFRESHES_IN_FLIGHT = 64;

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
    }

    /** One discovered URL. */
    private final class Entry {
        final @NotNull String url;
        volatile @NotNull HttpSource source;
        volatile long lastUsedSecond;
        volatile long lastAttemptSecond = NEVER;
        /** The load running or last run; {@code null} before the first. */
        @Nullable CompletableFuture<Void> load;
        /** The CRL this URL put in use, {@code null} before one verified. */
        volatile @Nullable VerifiedCrl crl;

        Entry(final @NotNull String url, final @NotNull HttpSource source, final long nowSecond) {
            this.url = url;
            this.source = source;
            this.lastUsedSecond = nowSecond;
        }

        void touch(final long nowSecond) {
            if (lastUsedSecond != nowSecond) {
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
        synchronized @Nullable CompletableFuture<Void> loadIf(final boolean due, final long nowSecond) {
            if (load != null && !load.isDone()) {
                return load;
            }
            if (!due) {
                return null;
            }
            lastAttemptSecond = nowSecond;
            load = fetch(this);
            return load;
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final @NotNull HttpClient http;
    private final @NotNull Supplier<CrlLoader> loader;
    private final @NotNull RevocationState state;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final AtomicLong entriesInUse = new AtomicLong();
    private final AtomicLong lastRefusedWarn = new AtomicLong(-WARN_EVERY_SECONDS);
    private final AtomicLong lastFullWarn = new AtomicLong(-WARN_EVERY_SECONDS);
    private final CrlLoader.Outcome outcome = new CrlLoader.Outcome() {
        @Override
        public void success(final @NotNull CrlSource source, final @Nullable VerifiedCrl crl) {
            final Entry entry = entries.get(source.name());
            if (crl == null || entry == null) {
                return;
            }
            final VerifiedCrl previous = entry.crl;
            entry.crl = crl;
            entriesInUse.addAndGet(crl.revoked().size()
                    - (previous == null ? 0 : previous.revoked().size()));
            if (!crl.isDelta()
                    && !crl.scope().names().isEmpty()
                    && !crl.scope().names().contains("uri:" + entry.url)) {
                // Signed data for another partition: in use for that scope, but the certificates that
                // name this URL stay uncovered (fail closed) until their own partition is served here.
                metrics.discoveredFailure();
                log.warn(
                        "crl-extension: the CRL at {} is the partition of another distribution point ({}); it is"
                                + " used for that one, and certificates naming {} stay without a CRL",
                        UntrustedText.escape(entry.url),
                        UntrustedText.escape(String.join(", ", crl.scope().names())),
                        UntrustedText.escape(entry.url));
            }
        }

        @Override
        public void failure(final @NotNull CrlSource source) {
            metrics.discoveredFailure();
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
        metrics.discovered(entries::size, entriesInUse::get);
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
        final List<Entry> registered = new ArrayList<>();
        for (final Map.Entry<String, Long> url : kept.read().entrySet()) {
            if (current.points.allows(url.getKey())
                    && !current.configured.contains(url.getKey())
                    && entries.size() < current.points.maxSources()) {
                final Entry entry = new Entry(url.getKey(), source(url.getKey(), current), url.getValue());
                if (entries.putIfAbsent(url.getKey(), entry) == null) {
                    registered.add(entry);
                }
            }
        }
        file = kept;
        final CrlLoader now = loader.get();
        final List<CrlSource> later = new ArrayList<>();
        int restored = 0;
        for (int pass = 0; pass < 2; pass++) {
            for (final Entry entry : registered) {
                if (pass == 1 && !later.contains(entry.source)) {
                    continue;
                }
                final VerifiedCrl crl = now.restoreCopy(entry.source, pass == 0 ? later : null);
                if (crl != null) {
                    entry.crl = crl;
                    entriesInUse.addAndGet(crl.revoked().size());
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
            if (!next.points.allows(entry.url) || next.configured.contains(entry.url)) {
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
     * one whose last attempt is older than the retry delay; {@code null} when there is nothing to wait
     * for (the CONNECT is decided on the CRLs in use now).
     */
    public @Nullable CompletableFuture<Void> ensure(final @NotNull Collection<URI> urls) {
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
            final boolean added = entry == null;
            if (added) {
                entry = register(url, current, now);
                if (entry == null) {
                    continue;
                }
            }
            entry.touch(now);
            final boolean due = entry.lastAttemptSecond == NEVER
                    || now - entry.lastAttemptSecond >= current.retry().getSeconds();
            final CompletableFuture<Void> load = entry.loadIf(due, now);
            if (load != null) {
                if (waits == null) {
                    waits = new ArrayList<>(urls.size());
                }
                waits.add(load);
            }
        }
        return waits == null ? null : CompletableFuture.allOf(waits.toArray(new CompletableFuture[0]));
    }

    /** Fetches the deltas {@code crl} names in the background, when discovery allows their URLs. */
    public void prefetchDeltas(final @NotNull VerifiedCrl crl) {
        if (!crl.isDelta() && !crl.freshest().isEmpty()) {
            ensure(crl.freshest());
        }
    }

    /**
     * Refreshes every discovered URL not loading now (conditionally: an unchanged CRL is not
     * downloaded again), at most {@value #REFRESHES_IN_FLIGHT} at once, and drops idle ones first.
     *
     * @param inUse calls its argument with the URLs each connected certificate names
     * @return completes when every refresh has ended
     */
    public @NotNull CompletableFuture<Void> refresh(final @NotNull Consumer<Consumer<Collection<URI>>> inUse) {
        dropIdle(inUse);
        save(); // when each URL was last named
        final List<Entry> due = new ArrayList<>();
        for (final Entry entry : entries.values()) {
            if (!entry.loading()) {
                due.add(entry);
            }
        }
        final CompletableFuture<Void> done = new CompletableFuture<>();
        final java.util.concurrent.atomic.AtomicInteger next = new java.util.concurrent.atomic.AtomicInteger();
        final java.util.concurrent.atomic.AtomicInteger left =
                new java.util.concurrent.atomic.AtomicInteger(due.size());
        if (due.isEmpty()) {
            done.complete(null);
            return done;
        }
        final Runnable[] startNext = new Runnable[1];
        startNext[0] = () -> {
            final int at = next.getAndIncrement();
            if (at >= due.size()) {
                return;
            }
            final Entry entry = due.get(at);
            final CompletableFuture<Void> load =
                    stopped ? null : entry.loadIf(true, clock.instant().getEpochSecond());
            (load == null ? CompletableFuture.<Void>completedFuture(null) : load).whenComplete((ignored, e) -> {
                if (left.decrementAndGet() == 0) {
                    done.complete(null);
                }
                startNext[0].run();
            });
        };
        for (int i = 0; i < Math.min(REFRESHES_IN_FLIGHT, due.size()); i++) {
            startNext[0].run();
        }
        return done;
    }

    /** How many URLs are kept. */
    public int size() {
        return entries.size();
    }

    /** Whether {@code url} is kept. */
    public boolean holds(final @NotNull String url) {
        return entries.containsKey(url);
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
        Entry oldest = null;
        for (final Entry entry : entries.values()) {
            if (idle(entry, current, now) && (oldest == null || entry.lastUsedSecond < oldest.lastUsedSecond)) {
                oldest = entry;
            }
        }
        if (oldest != null) {
            drop(oldest, "idle, to make room under max-sources");
        }
    }

    private void dropIdle(final Consumer<Consumer<Collection<URI>>> inUse) {
        if (entries.isEmpty()) {
            return;
        }
        inUse.accept(this::touch);
        final Settings current = settings;
        final long now = clock.instant().getEpochSecond();
        for (final Entry entry : entries.values()) {
            if (idle(entry, current, now)) {
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

    private void drop(final Entry entry, final String why) {
        if (!entries.remove(entry.url, entry)) {
            return;
        }
        final VerifiedCrl crl = entry.crl;
        if (crl != null) {
            entriesInUse.addAndGet(-crl.revoked().size());
            state.remove(crl);
        }
        log.info(
                "crl-extension: discovered CRL distribution point {} dropped ({})",
                UntrustedText.escape(entry.url),
                why);
    }

    private CompletableFuture<Void> fetch(final Entry entry) {
        metrics.discoveredFetch();
        final CrlLoader current = loader.get();
        CompletableFuture<dev.certguard.crl.source.Fetch> fetch;
        try {
            fetch = entry.source.fetch();
        } catch (final RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        return fetch.thenCompose(result -> {
                    if (stopped || entries.get(entry.url) != entry) {
                        return CompletableFuture.<Void>completedFuture(null);
                    }
                    current.handle(entry.source, result, outcome);
                    final VerifiedCrl crl = entry.crl;
                    // A CONNECT that waited for a base waits for the deltas it names as well.
                    final CompletableFuture<Void> deltas =
                            crl == null || crl.isDelta() || crl.freshest().isEmpty() ? null : ensure(crl.freshest());
                    return deltas == null ? CompletableFuture.<Void>completedFuture(null) : deltas;
                })
                .exceptionally(e -> {
                    if (!stopped) {
                        current.failed(
                                entry.source,
                                e instanceof CompletionException && e.getCause() != null ? e.getCause() : e,
                                outcome);
                    }
                    return null;
                });
    }

    private HttpSource source(final String url, final Settings current) {
        return new HttpSource(URI.create(url), http, current.timeout, current.maxBytes);
    }

    private void save() {
        file.save(() -> {
            final Map<String, Long> urls = new java.util.LinkedHashMap<>();
            entries.values().forEach(entry -> urls.put(entry.url, entry.lastUsedSecond));
            return urls;
        });
    }

    private static boolean rateLimited(final AtomicLong last, final long now) {
        final long previous = last.get();
        return now - previous >= WARN_EVERY_SECONDS && last.compareAndSet(previous, now);
    }
}
