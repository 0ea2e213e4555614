package dev.certguard.crl.ocsp;

import com.github.benmanes.caffeine.cache.AsyncCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.state.CrlMetrics;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * OCSP answers per certificate, in a bounded Caffeine cache: a verified answer is kept until it
 * stops being usable (its {@code nextUpdate}, capped by {@code cache-seconds}); a failure is not
 * kept, so the next CONNECT asks again. Concurrent lookups of one certificate share one request
 * (the cache holds the request's future). Refreshes of connected clients' answers replace an
 * answer only with a newer one, so a responder outage never erases a good answer before it
 * expires. Thread-safe.
 */
public final class OcspStatuses {

    /**
     * Identifies a certificate to its issuer's responder: the issuer (name and key) and the serial
     * (the certificate's own object, so a key costs only itself).
     */
    static final class Key {
        final @NotNull String issuer;
        final @NotNull BigInteger serial;

        Key(final @NotNull String issuer, final @NotNull BigInteger serial) {
            this.issuer = issuer;
            this.serial = serial;
        }

        @Override
        public boolean equals(final Object other) {
            return other instanceof Key && ((Key) other).issuer.equals(issuer) && ((Key) other).serial.equals(serial);
        }

        @Override
        public int hashCode() {
            return issuer.hashCode() * 31 + serial.hashCode();
        }
    }

    private final @NotNull OcspClient client;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final @NotNull AsyncCache<Key, OcspAnswer> cache;
    private final Set<Key> refreshing = ConcurrentHashMap.newKeySet();
    private volatile @NotNull Consumer<X509Certificate> revoked = certificate -> {};

    public OcspStatuses(
            final @NotNull OcspClient client,
            final long maxCachedResponses,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock) {
        this.client = client;
        this.metrics = metrics;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .maximumSize(maxCachedResponses)
                .expireAfter(new Expiry<Key, OcspAnswer>() {
                    @Override
                    public long expireAfterCreate(final Key key, final OcspAnswer answer, final long now) {
                        return nanosLeft(answer);
                    }

                    @Override
                    public long expireAfterUpdate(
                            final Key key, final OcspAnswer answer, final long now, final long current) {
                        return nanosLeft(answer);
                    }

                    @Override
                    public long expireAfterRead(
                            final Key key, final OcspAnswer answer, final long now, final long current) {
                        return current;
                    }
                })
                .buildAsync();
    }

    private long nanosLeft(final OcspAnswer answer) {
        if (answer.status() == null) {
            return 0; // failures are not kept
        }
        final long millis =
                Duration.between(clock.instant(), answer.usableUntil()).toMillis();
        return TimeUnit.MILLISECONDS.toNanos(Math.max(0, millis));
    }

    private static Key key(final OcspChecks.Issued issued) {
        return new Key(issued.issuerKey, issued.certificate.getSerialNumber());
    }

    /**
     * Tells {@code listener} of every certificate a verified answer says is revoked, on the thread
     * that got the answer (it must hand work off, not do it there).
     */
    public void onRevoked(final @NotNull Consumer<X509Certificate> listener) {
        this.revoked = listener;
    }

    /** A usable verified answer already in the cache, without asking anyone; {@code null} if none. */
    public @Nullable OcspAnswer cached(final @NotNull OcspChecks.Issued issued) {
        return usable(cache.getIfPresent(key(issued)));
    }

    private @Nullable OcspAnswer usable(final @Nullable CompletableFuture<OcspAnswer> future) {
        if (future == null || !future.isDone() || future.isCompletedExceptionally()) {
            return null;
        }
        final OcspAnswer answer = future.join();
        return answer.status() != null && clock.instant().isBefore(answer.usableUntil()) ? answer : null;
    }

    /** The answer for {@code certificate}: from the cache, from a request under way, or from a new request. */
    public @NotNull CompletableFuture<OcspAnswer> status(final @NotNull OcspChecks.Issued issued) {
        final OcspAnswer hit = cached(issued);
        if (hit != null) {
            metrics.ocspCacheHit();
            return CompletableFuture.completedFuture(hit);
        }
        return cache.get(key(issued), (k, executor) -> ask(issued.certificate, issued.issuer));
    }

    /**
     * Asks again for a connected client's certificate whose answer expires within {@code within}
     * (or is missing); the new answer replaces the cached one only when verified. Returns the new
     * answer, or {@code null} when no refresh was needed or one is already under way.
     */
    public @Nullable CompletableFuture<OcspAnswer> refreshIfExpiring(
            final @NotNull OcspChecks.Issued issued, final @NotNull Duration within) {
        final OcspAnswer current = cached(issued);
        final Instant now = clock.instant();
        if (current != null && current.usableUntil().isAfter(now.plus(within))) {
            return null;
        }
        final Key key = key(issued);
        if (!refreshing.add(key)) {
            return null;
        }
        final CompletableFuture<OcspAnswer> asked;
        try {
            asked = ask(issued.certificate, issued.issuer);
        } catch (final RuntimeException e) {
            refreshing.remove(key);
            throw e;
        }
        return asked.whenComplete((answer, e) -> {
            try {
                if (answer == null || answer.status() == null) {
                    return;
                }
                final OcspAnswer held = usable(cache.getIfPresent(key));
                // Never replace an answer with an older one (a replayed response cannot undo a revocation).
                if (held == null || !answer.thisUpdate().isBefore(held.thisUpdate())) {
                    cache.put(key, CompletableFuture.completedFuture(answer));
                }
            } finally {
                // Only once the new answer is in: a sweep in between would find neither and ask again.
                refreshing.remove(key);
            }
        });
    }

    private CompletableFuture<OcspAnswer> ask(final X509Certificate certificate, final X509Certificate issuer) {
        metrics.ocspRequest();
        final long started = System.nanoTime();
        return client.ask(certificate, issuer).thenApply(answer -> {
            metrics.ocspAnswer(answer, System.nanoTime() - started);
            if (answer.revoked()) {
                try {
                    revoked.accept(certificate);
                } catch (final RuntimeException e) {
                    // The answer stands whatever the listener does.
                }
            }
            return answer;
        });
    }

    /** Answers held now (for tests and diagnostics). */
    public long size() {
        return cache.synchronous().estimatedSize();
    }
}
