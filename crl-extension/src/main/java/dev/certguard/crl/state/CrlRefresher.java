package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.source.CrlSource;
import dev.certguard.crl.source.Fetch;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.text.SafeLog;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One refresh of every source: fetch (skipped while the previous fetch of that source is still
 * running), parse, verify, install. Anything that goes wrong (network, HTTP status, size, garbage,
 * truncation, signature, age, rollback, even a bug) keeps the last good CRL for that issuer, logs a
 * WARN and counts a failure; nothing escapes to crash the extension or block a broker thread.
 * Thread-safe.
 */
public final class CrlRefresher {

    private static final SafeLog log = SafeLog.of(CrlRefresher.class);

    private final @NotNull List<CrlSource> sources;
    private final @NotNull CrlLoader loader;
    private final @NotNull CrlLoader.Outcome outcome;
    private final Map<CrlSource, AtomicBoolean> inFlight = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    /**
     * Keeps a copy of each remote source's CRL in {@code copies} ({@link CrlCopies#none()} for none)
     * and reads at most {@code maxBytes} of one back.
     */
    public CrlRefresher(
            final @NotNull List<CrlSource> sources,
            final @NotNull CrlVerifier verifier,
            final @NotNull RevocationState state,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock,
            final @NotNull Consumer<RevocationSnapshot> onChange,
            final @NotNull CrlCopies copies,
            final long maxBytes) {
        this.sources = List.copyOf(sources);
        this.loader = new CrlLoader(verifier, state, clock, onChange, copies, maxBytes);
        this.outcome = new CrlLoader.Outcome() {
            @Override
            public void success(final @NotNull CrlSource source, final VerifiedCrl crl) {
                metrics.success(source.name(), crl);
            }

            @Override
            public void failure(final @NotNull CrlSource source) {
                metrics.failure(source.name());
            }
        };
        for (final CrlSource source : sources) {
            inFlight.put(source, new AtomicBoolean());
            metrics.source(source.name());
        }
    }

    /**
     * Puts in use the copy kept on disk of each remote source's last good CRL, verified exactly like a
     * fetched one (signature, validity, rollback): a restarted broker then has revocation data before
     * its first fetch answers. Reads files: call once, at start, before the first {@link #refresh()}.
     *
     * @return how many copies are in use
     */
    public int restore() {
        // A delta's copy can be used only once its base is in use: deltas read before theirs go again.
        final List<CrlSource> remote = new ArrayList<>();
        final List<CrlSource> deferred = new ArrayList<>();
        int restored = 0;
        for (final CrlSource source : sources) {
            if (source.remote()) {
                remote.add(source);
            }
        }
        for (int pass = 0; pass < 2; pass++) {
            for (final CrlSource source : pass == 0 ? remote : deferred) {
                restored += loader.restore(source, pass == 0 ? deferred : null);
            }
        }
        return restored;
    }

    /** Starts a refresh of every idle source; the future completes when all of them are done. */
    public @NotNull CompletableFuture<Void> refresh() {
        final List<CompletableFuture<Void>> running = new ArrayList<>();
        for (final CrlSource source : sources) {
            final AtomicBoolean busy = inFlight.get(source);
            if (stopped || !busy.compareAndSet(false, true)) {
                continue;
            }
            CompletableFuture<Fetch> fetch;
            try {
                fetch = source.fetch();
            } catch (final RuntimeException e) {
                fetch = CompletableFuture.failedFuture(e);
            }
            running.add(fetch.thenAccept(result -> loader.handle(source, result, outcome))
                    .exceptionally(e -> {
                        loader.failed(
                                source,
                                e instanceof CompletionException && e.getCause() != null ? e.getCause() : e,
                                outcome);
                        return null;
                    })
                    .whenComplete((ignored, e) -> busy.set(false)));
        }
        return CompletableFuture.allOf(running.toArray(new CompletableFuture[0]));
    }

    /** No new fetches start after this. */
    public void stop() {
        stopped = true;
        loader.stop();
    }

    /** What puts this configuration's CRLs in use; discovered sources use it too while it is in force. */
    public @NotNull CrlLoader loader() {
        return loader;
    }
}
