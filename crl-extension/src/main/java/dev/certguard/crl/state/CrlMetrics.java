package dev.certguard.crl.state;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.verify.VerifiedCrl;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * crl-extension's metrics under {@code dev.certguard.crl-extension.}: per source, per watched
 * certificate, and for CONNECT refusals and live disconnects. Thread-safe.
 */
public final class CrlMetrics {

    public static final String PREFIX = "dev.certguard.crl-extension.";

    private static final class SourceState {
        volatile long lastSuccessEpochSeconds = -1;
        volatile long thisUpdateEpochSeconds = -1;
        volatile int entries = -1;
    }

    private final @NotNull MetricRegistry registry;
    private final @NotNull Clock clock;
    private final Map<String, SourceState> sources = new ConcurrentHashMap<>();
    private final Counter rejectedRevoked;
    private final Counter rejectedUnavailable;
    private final Counter rejectedUnknownIssuer;
    private final Counter allowedUnavailable;
    private final Counter liveDisconnects;
    private final Counter rejectedDenied;
    private final Counter deniedDisconnects;

    public CrlMetrics(final @NotNull MetricRegistry registry, final @NotNull Clock clock) {
        this.registry = registry;
        this.clock = clock;
        rejectedRevoked = registry.counter(PREFIX + "connect.rejected.revoked");
        rejectedUnavailable = registry.counter(PREFIX + "connect.rejected.unavailable");
        rejectedUnknownIssuer = registry.counter(PREFIX + "connect.rejected.unknown-issuer");
        allowedUnavailable = registry.counter(PREFIX + "connect.allowed.unavailable");
        liveDisconnects = registry.counter(PREFIX + "live-disconnects");
        rejectedDenied = registry.counter(PREFIX + "connect.rejected.denied");
        deniedDisconnects = registry.counter(PREFIX + "deny-list.disconnects");
    }

    /** Metric-safe form of a source name or path. */
    public static @NotNull String key(final @NotNull String name) {
        return name.replaceAll("[^A-Za-z0-9._-]+", "_");
    }

    void source(final @NotNull String name) {
        sources.computeIfAbsent(name, n -> {
            final SourceState state = new SourceState();
            final String base = PREFIX + "source." + key(n) + ".";
            gauge(base + "last-success-epoch-seconds", () -> state.lastSuccessEpochSeconds);
            gauge(
                    base + "age-seconds",
                    () -> state.thisUpdateEpochSeconds < 0
                            ? -1
                            : clock.instant().getEpochSecond() - state.thisUpdateEpochSeconds);
            gauge(base + "entries", () -> state.entries);
            registry.counter(base + "failures");
            return state;
        });
    }

    void success(final @NotNull String name, final VerifiedCrl crl) {
        source(name);
        final SourceState state = sources.get(name);
        state.lastSuccessEpochSeconds = clock.instant().getEpochSecond();
        if (crl != null) {
            state.thisUpdateEpochSeconds = crl.thisUpdate().getEpochSecond();
            state.entries = crl.revoked().size();
        }
    }

    void failure(final @NotNull String name) {
        source(name);
        registry.counter(PREFIX + "source." + key(name) + ".failures").inc();
    }

    public void rejectedRevoked() {
        rejectedRevoked.inc();
    }

    public void rejectedUnavailable() {
        rejectedUnavailable.inc();
    }

    public void rejectedUnknownIssuer() {
        rejectedUnknownIssuer.inc();
    }

    public void allowedUnavailable() {
        allowedUnavailable.inc();
    }

    /** A connected client cut because its certificate (or a CA on its path) was revoked. */
    public void liveDisconnect() {
        liveDisconnects.inc();
    }

    /** A CONNECT refused by the operator's deny list. */
    public void rejectedDenied() {
        rejectedDenied.inc();
    }

    /** A connected client cut by the operator's deny list. */
    public void deniedDisconnect() {
        deniedDisconnects.inc();
    }

    /** An OCSP answer taken from the cache. */
    public void ocspCacheHit() {
        registry.counter(PREFIX + "ocsp.cache-hits").inc();
    }

    /** An OCSP request sent. */
    public void ocspRequest() {
        registry.counter(PREFIX + "ocsp.requests").inc();
    }

    /** An OCSP request ended: counts the status or the failure's cause, and the latency. */
    public void ocspAnswer(final @NotNull dev.certguard.crl.ocsp.OcspAnswer answer, final long nanos) {
        registry.timer(PREFIX + "ocsp.latency").update(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
        if (answer.status() != null) {
            registry.counter(PREFIX + "ocsp.responses." + answer.status().name().toLowerCase(java.util.Locale.ROOT))
                    .inc();
        } else {
            registry.counter(PREFIX + "ocsp.failures." + answer.failure()).inc();
        }
    }

    /** A CONNECT refused because OCSP says revoked. */
    public void rejectedOcspRevoked() {
        registry.counter(PREFIX + "connect.rejected.ocsp-revoked").inc();
    }

    /** A CONNECT refused because no OCSP status could be had. */
    public void rejectedOcspUnavailable() {
        registry.counter(PREFIX + "connect.rejected.ocsp-unavailable").inc();
    }

    /** A CONNECT admitted without an OCSP status ({@code when-unavailable=allow}). */
    public void allowedOcspUnavailable() {
        registry.counter(PREFIX + "connect.allowed.ocsp-unavailable").inc();
    }

    /** Registers the OCSP counters at zero, so dashboards see them before the first event. */
    public void ocspEnabled() {
        for (final String name : new String[] {
            "ocsp.cache-hits",
            "ocsp.requests",
            "ocsp.responses.good",
            "ocsp.responses.revoked",
            "ocsp.responses.unknown",
            "connect.rejected.ocsp-revoked",
            "connect.rejected.ocsp-unavailable",
            "connect.allowed.ocsp-unavailable",
            "ocsp.live-disconnects"
        }) {
            registry.counter(PREFIX + name);
        }
        registry.timer(PREFIX + "ocsp.latency");
    }

    /** A connected client cut because OCSP turned its certificate revoked. */
    public void ocspLiveDisconnect() {
        registry.counter(PREFIX + "ocsp.live-disconnects").inc();
    }

    /** Registers (or replaces) a gauge under {@code dev.certguard.crl-extension.<name>}. */
    public void gauge(final @NotNull String name, final @NotNull LongSupplier value) {
        registry.remove(name);
        registry.register(name, (Gauge<Long>) value::getAsLong);
    }

    public void remove() {
        registry.removeMatching((name, metric) -> name.startsWith(PREFIX));
    }
}
