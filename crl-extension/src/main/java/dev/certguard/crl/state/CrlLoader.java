package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Puts one source's CRL in use: parse, verify, install, keep a copy, log, and tell the connected
 * fleet; or, when anything goes wrong, keep the last good CRL of that issuer and scope, log a WARN
 * and count a failure. Shared by the configured sources ({@link CrlRefresher}) and the distribution
 * points discovered in client certificates ({@link DiscoveredCrls}), which count their outcomes
 * differently. Thread-safe.
 */
public final class CrlLoader {

    private static final SafeLog log = SafeLog.of(CrlLoader.class);

    /** Where the outcome of each load is counted. */
    public interface Outcome {
        /** The source gave a CRL now in use, or the same one again ({@code crl} null). */
        void success(@NotNull CrlSource source, @Nullable VerifiedCrl crl);

        /** The source gave no usable CRL (the WARN is logged already). */
        void failure(@NotNull CrlSource source);

        /**
         * Why {@code crl}, verified, must not be put in use from {@code source}, or {@code null} when it
         * may (a discovered URL serving another partition's CRL is refused).
         */
        default @Nullable String refusal(final @NotNull CrlSource source, final @NotNull VerifiedCrl crl) {
            return null;
        }
    }

    private final @NotNull CrlVerifier verifier;
    private final @NotNull RevocationState state;
    private final @NotNull Clock clock;
    private final @NotNull Consumer<RevocationSnapshot> onChange;
    private final @NotNull CrlCopies copies;
    private final long maxBytes;
    private volatile @NotNull Consumer<VerifiedCrl> installed = crl -> {};
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
        final Outcome outcome;

        Pending(final CrlSource source, final Fetch fetch, final VerifiedCrl crl, final Outcome outcome) {
            this.source = source;
            this.fetch = fetch;
            this.crl = crl;
            this.outcome = outcome;
        }
    }

    public CrlLoader(
            final @NotNull CrlVerifier verifier,
            final @NotNull RevocationState state,
            final @NotNull Clock clock,
            final @NotNull Consumer<RevocationSnapshot> onChange,
            final @NotNull CrlCopies copies,
            final long maxBytes) {
        this.verifier = verifier;
        this.state = state;
        this.clock = clock;
        this.onChange = onChange;
        this.copies = copies;
        this.maxBytes = maxBytes;
    }

    /** Also tells {@code listener} of every CRL put in use (discovery fetches the deltas a base names). */
    public void whenInstalled(final @NotNull Consumer<VerifiedCrl> listener) {
        installed = listener;
    }

    /** Deletes the copy kept on disk for {@code source} (a discovered URL that was dropped). */
    public void forget(final @NotNull CrlSource source) {
        copies.forget(source.name());
    }

    /** No CRL is put in use after this. */
    public void stop() {
        stopped = true;
    }

    public boolean stopped() {
        return stopped;
    }

    /** Restores one source's copy (1 when it is in use); a delta without its base goes to {@code later} when given. */
    public int restore(final @NotNull CrlSource source, final @Nullable List<CrlSource> later) {
        return restoreCopy(source, later) == null ? 0 : 1;
    }

    /** {@link #restore}, giving the CRL put in use, or {@code null}. */
    public @Nullable VerifiedCrl restoreCopy(final @NotNull CrlSource source, final @Nullable List<CrlSource> later) {
        final byte[] der = copies.read(source.name(), maxBytes);
        if (der == null) {
            return null;
        }
        final String name = source.name() + " (copy kept on disk)";
        try {
            final VerifiedCrl crl = verifier.verify(ParsedCrl.parse(der), name, clock.instant());
            if (later != null && crl.isDelta() && state.snapshot().crl(crl.baseKey()) == null) {
                later.add(source);
                return null;
            }
            state.restore(crl);
            state.supplied(source.name(), crl.key());
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
            return crl;
        } catch (final CrlFormatException | CrlVerificationException e) {
            log.warn("crl-extension: CRL from {} not used ({})", name, e.getMessage());
        } catch (final RevocationState.RollbackException e) {
            log.info("crl-extension: CRL from {} not used ({})", name, e.getMessage());
        } catch (final RuntimeException e) {
            // Whatever the file holds, it must not stop the extension: the broker waits for a fetch.
            log.warn("crl-extension: CRL from {} not used ({})", name, e.toString());
        }
        return null;
    }

    /** Puts the fetched CRL of {@code source} in use, or logs and counts why not. */
    public void handle(final @NotNull CrlSource source, final @NotNull Fetch fetch, final @NotNull Outcome outcome) {
        if (stopped) {
            return;
        }
        if (fetch.unchanged()) {
            outcome.success(source, null);
            return;
        }
        final VerifiedCrl crl;
        try {
            crl = verifier.verify(ParsedCrl.parse(fetch.bytes()), source.name(), clock.instant());
        } catch (final CrlFormatException | CrlVerificationException e) {
            failed(source, e, outcome);
            return;
        }
        final String refusal = outcome.refusal(source, crl);
        if (refusal != null) {
            failed(source, new CrlVerificationException(refusal), outcome);
            return;
        }
        install(source, fetch, crl, outcome);
    }

    private void install(final CrlSource source, final Fetch fetch, final VerifiedCrl crl, final Outcome outcome) {
        final boolean changed;
        try {
            changed = state.install(crl);
        } catch (final RevocationState.SupersededException e) {
            // The complete CRL in use already holds what this delta says: nothing to do, nothing wrong.
            source.accepted(fetch);
            outcome.success(source, crl);
            log.info("crl-extension: CRL from {} not needed ({})", source.name(), e.getMessage());
            return;
        } catch (final RevocationState.NoBaseException e) {
            waitingForBase.put(crl.baseKey(), new Pending(source, fetch, crl, outcome));
            failed(source, e, outcome);
            // The base may have been put in use between the refusal and the line above.
            if (state.snapshot().crl(crl.baseKey()) != null) {
                final Pending waiting = waitingForBase.remove(crl.baseKey());
                if (waiting != null && !stopped) {
                    install(waiting.source, waiting.fetch, waiting.crl, waiting.outcome);
                }
            }
            return;
        } catch (final RevocationState.RollbackException e) {
            failed(source, e, outcome);
            return;
        }
        source.accepted(fetch);
        state.supplied(source.name(), crl.key());
        if (crl.isDelta()) {
            // A newer delta from the same source replaces one that was waiting for its base.
            waitingForBase.values().removeIf(waiting -> waiting.source == source);
        }
        if (source.remote()) {
            copies.keep(source.name(), crl, fetch.bytes());
        }
        outcome.success(source, crl);
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
        try {
            installed.accept(crl);
        } catch (final RuntimeException e) {
            log.warn("crl-extension: after putting the CRL from {} in use: {}", source.name(), e.toString());
        }
        if (!crl.isDelta()) {
            final Pending delta = waitingForBase.remove(crl.key());
            if (delta != null && !stopped) {
                install(delta.source, delta.fetch, delta.crl, delta.outcome);
            }
        }
    }

    /** Logs and counts why {@code source} gave no CRL this time. */
    public void failed(final @NotNull CrlSource source, final @NotNull Throwable e, final @NotNull Outcome outcome) {
        outcome.failure(source);
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
