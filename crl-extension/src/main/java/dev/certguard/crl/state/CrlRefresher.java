package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.source.CrlSource;
import dev.certguard.crl.source.Fetch;
import dev.certguard.crl.verify.CrlFormatException;
import dev.certguard.crl.verify.CrlVerificationException;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
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
    private final @NotNull CrlVerifier verifier;
    private final @NotNull RevocationState state;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final @NotNull Consumer<RevocationSnapshot> onChange;
    private final @NotNull CrlCopies copies;
    private final long maxBytes;
    private final Map<CrlSource, AtomicBoolean> inFlight = new ConcurrentHashMap<>();
    /**
     * A delta whose complete CRL was not in use yet (sources answer in any order), by the key of that
     * complete CRL: tried again as soon as one is installed, instead of a refresh interval later.
     */
    private final Map<String, Pending> waitingForBase = new ConcurrentHashMap<>();

    private volatile boolean stopped;

    /** A verified delta CRL waiting for its base. */
    private static final class Pending {
        final CrlSource source;
        final Fetch fetch;
        final VerifiedCrl crl;

        Pending(final CrlSource source, final Fetch fetch, final VerifiedCrl crl) {
            this.source = source;
            this.fetch = fetch;
            this.crl = crl;
        }
    }

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
        this.copies = copies;
        this.maxBytes = maxBytes;
        this.sources = List.copyOf(sources);
        this.verifier = verifier;
        this.state = state;
        this.metrics = metrics;
        this.clock = clock;
        this.onChange = onChange;
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
                restored += restore(source, pass == 0 ? deferred : null);
            }
        }
        return restored;
    }

    /** Restores one source's copy (1 when it is in use); a delta without its base goes to {@code later} when given. */
    private int restore(final CrlSource source, final List<CrlSource> later) {
        final byte[] der = copies.read(source.name(), maxBytes);
        if (der == null) {
            return 0;
        }
        final String name = source.name() + " (copy kept on disk)";
        try {
            final VerifiedCrl crl = verifier.verify(ParsedCrl.parse(der), name, clock.instant());
            if (later != null && crl.isDelta() && state.snapshot().crl(crl.baseKey()) == null) {
                later.add(source);
                return 0;
            }
            state.restore(crl);
            copies.restored(source.name(), crl);
            log.info(
                    "crl-extension: {} of '{}' from {} in use until a fetch replaces it: {} revoked, number {},"
                            + " thisUpdate {}, nextUpdate {}",
                    crl.isDelta() ? "delta CRL (on base " + crl.deltaBase() + ")" : "CRL",
                    UntrustedText.name(crl.issuer()),
                    name,
                    crl.revoked().size(),
                    crl.number(),
                    crl.thisUpdate(),
                    crl.nextUpdate());
            return 1;
        } catch (final CrlFormatException | CrlVerificationException e) {
            log.warn("crl-extension: CRL from {} not used ({})", name, e.getMessage());
        } catch (final RevocationState.RollbackException e) {
            log.info("crl-extension: CRL from {} not used ({})", name, e.getMessage());
        } catch (final RuntimeException e) {
            // Whatever the file holds, it must not stop the extension: the broker waits for a fetch.
            log.warn("crl-extension: CRL from {} not used ({})", name, e.toString());
        }
        return 0;
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
            running.add(fetch.thenAccept(result -> handle(source, result))
                    .exceptionally(e -> {
                        failed(source, e instanceof CompletionException && e.getCause() != null ? e.getCause() : e);
                        return null;
                    })
                    .whenComplete((ignored, e) -> busy.set(false)));
        }
        return CompletableFuture.allOf(running.toArray(new CompletableFuture[0]));
    }

    /** No new fetches start after this. */
    public void stop() {
        stopped = true;
    }

    private void handle(final CrlSource source, final Fetch fetch) {
        if (stopped) {
            return;
        }
        if (fetch.unchanged()) {
            metrics.success(source.name(), null);
            return;
        }
        final VerifiedCrl crl;
        try {
            crl = verifier.verify(ParsedCrl.parse(fetch.bytes()), source.name(), clock.instant());
        } catch (final CrlFormatException | CrlVerificationException e) {
            failed(source, e);
            return;
        }
        install(source, fetch, crl);
    }

    private void install(final CrlSource source, final Fetch fetch, final VerifiedCrl crl) {
        final boolean changed;
        try {
            changed = state.install(crl);
        } catch (final RevocationState.SupersededException e) {
            // The complete CRL in use already holds what this delta says: nothing to do, nothing wrong.
            source.accepted(fetch);
            metrics.success(source.name(), crl);
            log.info("crl-extension: CRL from {} not needed ({})", source.name(), e.getMessage());
            return;
        } catch (final RevocationState.NoBaseException e) {
            waitingForBase.put(crl.baseKey(), new Pending(source, fetch, crl));
            failed(source, e);
            // The base may have been put in use between the refusal and the line above.
            if (state.snapshot().crl(crl.baseKey()) != null) {
                final Pending waiting = waitingForBase.remove(crl.baseKey());
                if (waiting != null && !stopped) {
                    install(waiting.source, waiting.fetch, waiting.crl);
                }
            }
            return;
        } catch (final RevocationState.RollbackException e) {
            failed(source, e);
            return;
        }
        source.accepted(fetch);
        if (crl.isDelta()) {
            // A newer delta from the same source replaces one that was waiting for its base.
            waitingForBase.values().removeIf(waiting -> waiting.source == source);
        }
        if (source.remote()) {
            copies.keep(source.name(), crl, fetch.bytes());
        }
        metrics.success(source.name(), crl);
        final java.time.Duration ahead = java.time.Duration.between(clock.instant(), crl.thisUpdate());
        if (ahead.compareTo(CrlVerifier.CLOCK_SKEW) > 0) {
            log.warn(
                    "crl-extension: CRL of '{}' from {} has thisUpdate {}, {} s ahead of this broker's clock; it is"
                            + " used (signed, numbered, newer than the last one): check the broker's clock",
                    UntrustedText.name(crl.issuer()),
                    source.name(),
                    crl.thisUpdate(),
                    ahead.getSeconds());
        }
        log.info(
                "crl-extension: {} of '{}' from {} in use: {} revoked, number {}, thisUpdate {}, nextUpdate {}",
                crl.isDelta() ? "delta CRL (on base " + crl.deltaBase() + ")" : "CRL",
                UntrustedText.name(crl.issuer()),
                source.name(),
                crl.revoked().size(),
                crl.number(),
                crl.thisUpdate(),
                crl.nextUpdate());
        if (changed) {
            onChange.accept(state.snapshot());
        }
        if (!crl.isDelta()) {
            final Pending delta = waitingForBase.remove(crl.key());
            if (delta != null && !stopped) {
                install(delta.source, delta.fetch, delta.crl);
            }
        }
    }

    private void failed(final CrlSource source, final Throwable e) {
        metrics.failure(source.name());
        // certguard's own exceptions escape what they quote; anything else (the HTTP client's, which can
        // quote a server's status line) is escaped here. The JDK's HTTP client reports a refused
        // connection as a ConnectException without a message.
        final boolean own = e instanceof CrlFormatException
                || e instanceof CrlVerificationException
                || e instanceof RevocationState.RollbackException;
        final String reason = own
                ? e.getMessage()
                : e instanceof java.io.IOException && e.getMessage() != null
                        ? UntrustedText.escape(e.getMessage())
                        : e.getMessage() == null ? e.getClass().getSimpleName() : UntrustedText.escape(e.toString());
        log.warn(
                "crl-extension: CRL from {} not used ({}); the last good CRL for its issuer stays in use",
                source.name(),
                reason);
    }
}
