package dev.certguard.crl.state;

import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.ocsp.OcspAnswer;
import dev.certguard.crl.ocsp.OcspFailure;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import dev.certguard.reload.ConfigReload;
import dev.certguard.status.ExtensionStatus;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * crl-extension's metrics under {@code dev.certguard.crl-extension.}, each defined here once
 * ({@link #DEFINITIONS} is what the reference documentation lists): per source, per watched
 * certificate, OCSP, and CONNECT refusals and live disconnects. Thread-safe.
 */
public final class CrlMetrics {

    static final String ID = "crl-extension";

    static final String REVOKED = "revoked";
    static final String UNAVAILABLE = "unavailable";
    static final String UNKNOWN_ISSUER = "unknown-issuer";
    static final String DENIED = "denied";
    static final String OCSP_REVOKED = "ocsp-revoked";
    static final String OCSP_UNAVAILABLE = "ocsp-unavailable";

    static final MetricDefinition REJECTED = MetricDefinition.counter(
                    "connect.rejected.{reason}", "CONNECTs refused (each also logged once as WARN)")
            .withValues(values(
                    REVOKED, "a CRL revokes the client certificate or a CA on its path (CONNACK 0x87)",
                    UNAVAILABLE, "an issuer on the path has no usable CRL and when-unavailable is reject (0x88)",
                    UNKNOWN_ISSUER, "the certificate's issuer is not one of ca-certificates (0x87)",
                    DENIED, "the operator's deny list names the certificate or identity (0x87)",
                    OCSP_REVOKED, "OCSP says the client certificate or a CA on its path is revoked (0x87)",
                    OCSP_UNAVAILABLE, "no good OCSP status and ocsp/when-unavailable is reject (0x88)"));
    static final MetricDefinition ALLOWED = MetricDefinition.counter(
                    "connect.allowed.{reason}", "CONNECTs admitted without revocation status")
            .withValues(values(
                    UNAVAILABLE, "no usable CRL, admitted because when-unavailable is allow",
                    OCSP_UNAVAILABLE, "no good OCSP status, admitted because ocsp/when-unavailable is allow"));
    static final MetricDefinition LIVE_DISCONNECTS = MetricDefinition.counter(
            "live-disconnects",
            "Connected clients cut (DISCONNECT 0x87) because a CRL revoked their certificate or a CA on its"
                    + " path, or their issuer was removed from ca-certificates.");
    static final MetricDefinition DENIED_DISCONNECTS = MetricDefinition.counter(
            "deny-list.disconnects", "Connected clients cut because the deny list named them.");
    static final MetricDefinition DENY_LIST_ENTRIES =
            MetricDefinition.gauge("deny-list.entries", "Lines of the deny list in force.");
    static final MetricDefinition DENY_RELOAD_SUCCESSES =
            MetricDefinition.counter("deny-list.reload.successes", "Edits of the deny list put in force.");
    static final MetricDefinition DENY_RELOAD_FAILURES = MetricDefinition.counter(
            "deny-list.reload.failures",
            "Edits of the deny list refused (a bad line, or the file deleted); the last good list stays.");
    static final MetricDefinition TRACKED = MetricDefinition.gauge(
            "connections.tracked", "Connections whose certificate path is re-checked when revocation data changes.");
    static final MetricDefinition SOURCE_LAST_SUCCESS = MetricDefinition.gauge(
            "source.{source}.last-success-epoch-seconds",
            "When the source last gave a verified CRL (or the same one again); -1 before the first.");
    static final MetricDefinition SOURCE_AGE = MetricDefinition.gauge(
            "source.{source}.age-seconds", "Seconds since the thisUpdate of the CRL in use; -1 before the first.");
    static final MetricDefinition SOURCE_ENTRIES = MetricDefinition.gauge(
            "source.{source}.entries", "Revoked serials in the source's CRL in use; -1 before the first.");
    static final MetricDefinition SOURCE_FAILURES = MetricDefinition.counter(
            "source.{source}.failures",
            "Refreshes of the source that gave no usable CRL (unreachable, too big, unverified, rolled back).");
    static final MetricDefinition DISCOVERED_SOURCES = MetricDefinition.gauge(
            "discovered.sources",
            "CRL distribution point URLs discovered in client certificates (or a CRL's Freshest CRL) and kept.");
    static final MetricDefinition DISCOVERED_FETCHES = MetricDefinition.counter(
            "discovered.fetches", "HTTP requests sent for discovered URLs (answers 304 Not Modified included).");
    static final MetricDefinition DISCOVERED_FAILURES = MetricDefinition.counter(
            "discovered.failures",
            "Fetches of discovered URLs that gave no usable CRL (unreachable, redirected, too big, unverified,"
                    + " rolled back, no base for a delta), and CRLs whose scope names another URL.");
    static final MetricDefinition DISCOVERED_ENTRIES = MetricDefinition.gauge(
            "discovered.entries", "Revoked serials in the CRLs in use that came from discovered URLs.");
    static final MetricDefinition DISCOVERED_WAITS = MetricDefinition.counter(
            "discovered.waits", "CONNECTs that waited (asynchronously) for a discovered URL's CRL.");
    static final MetricDefinition WATCH_EXPIRY = MetricDefinition.gauge(
            "watch.{path}.seconds-to-expiry", "Seconds until the watched certificate's notAfter (negative: expired).");
    static final MetricDefinition WATCH_REVOKED =
            MetricDefinition.gauge("watch.{path}.revoked", "1 when a CRL in use revokes the watched certificate.");
    static final MetricDefinition OCSP_CACHE_HITS =
            MetricDefinition.counter("ocsp.cache-hits", "OCSP answers taken from the cache.");
    static final MetricDefinition OCSP_REQUESTS = MetricDefinition.counter("ocsp.requests", "OCSP requests sent.");
    static final MetricDefinition OCSP_LATENCY =
            MetricDefinition.timer("ocsp.latency", "Time from an OCSP request to its answer or failure.");
    static final MetricDefinition OCSP_RESPONSES = MetricDefinition.counter(
                    "ocsp.responses.{status}", "Verified OCSP answers")
            .withValues(values(
                    "good", "the certificate is not revoked",
                    "revoked", "the certificate is revoked",
                    "unknown", "the responder does not know the certificate (treated as no status)"));
    static final MetricDefinition OCSP_FAILURES = MetricDefinition.counter(
                    "ocsp.failures.{cause}", "OCSP requests that gave no status")
            .withValues(failures());
    static final MetricDefinition OCSP_LIVE_DISCONNECTS = MetricDefinition.counter(
            "ocsp.live-disconnects", "Connected clients cut because a refreshed OCSP answer said revoked.");

    /** Every metric the extension registers, its status and reload counters included. */
    public static final List<MetricDefinition> DEFINITIONS = definitions();

    private static final class SourceState {
        volatile long lastSuccessEpochSeconds = -1;
        volatile long thisUpdateEpochSeconds = -1;
        volatile int entries = -1;
    }

    private final @NotNull ExtensionMetrics metrics;
    private final @NotNull Clock clock;
    private final Map<String, SourceState> sources = new ConcurrentHashMap<>();

    public CrlMetrics(final @NotNull MetricRegistry registry, final @NotNull Clock clock) {
        this.metrics = new ExtensionMetrics(registry, ID, DEFINITIONS);
        this.clock = clock;
        // OCSP's and every other fixed-name series exist from the start, OCSP on or off.
        metrics.registerAtZero();
    }

    private static Map<String, String> values(final String... pairs) {
        final Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            values.put(pairs[i], pairs[i + 1]);
        }
        return values;
    }

    private static Map<String, String> failures() {
        final Map<String, String> values = new LinkedHashMap<>();
        for (final OcspFailure failure : OcspFailure.values()) {
            if (failure != OcspFailure.INTERNAL) {
                values.put(failure.cause(), failure.meaning());
            }
        }
        return values;
    }

    private static List<MetricDefinition> definitions() {
        final List<MetricDefinition> all = new ArrayList<>(ExtensionStatus.DEFINITIONS);
        all.addAll(ConfigReload.DEFINITIONS);
        all.addAll(List.of(
                REJECTED,
                ALLOWED,
                LIVE_DISCONNECTS,
                DENIED_DISCONNECTS,
                TRACKED,
                SOURCE_LAST_SUCCESS,
                SOURCE_AGE,
                SOURCE_ENTRIES,
                SOURCE_FAILURES,
                DISCOVERED_SOURCES,
                DISCOVERED_FETCHES,
                DISCOVERED_FAILURES,
                DISCOVERED_ENTRIES,
                DISCOVERED_WAITS,
                WATCH_EXPIRY,
                WATCH_REVOKED,
                DENY_LIST_ENTRIES,
                DENY_RELOAD_SUCCESSES,
                DENY_RELOAD_FAILURES,
                OCSP_CACHE_HITS,
                OCSP_REQUESTS,
                OCSP_LATENCY,
                OCSP_RESPONSES,
                OCSP_FAILURES,
                OCSP_LIVE_DISCONNECTS));
        return List.copyOf(all);
    }

    /** The extension's registry view, for the deny list's reload counters. */
    public @NotNull ExtensionMetrics extensionMetrics() {
        return metrics;
    }

    /** The deny list's reload counters: {@code deny-list.reload.successes} and {@code .failures}. */
    public static @NotNull MetricDefinition denyReloadSuccesses() {
        return DENY_RELOAD_SUCCESSES;
    }

    public static @NotNull MetricDefinition denyReloadFailures() {
        return DENY_RELOAD_FAILURES;
    }

    void source(final @NotNull String name) {
        sources.computeIfAbsent(name, n -> {
            final SourceState state = new SourceState();
            metrics.gauge(SOURCE_LAST_SUCCESS, n, () -> state.lastSuccessEpochSeconds);
            metrics.gauge(
                    SOURCE_AGE,
                    n,
                    () -> state.thisUpdateEpochSeconds < 0
                            ? -1
                            : clock.instant().getEpochSecond() - state.thisUpdateEpochSeconds);
            metrics.gauge(SOURCE_ENTRIES, n, () -> state.entries);
            metrics.counter(SOURCE_FAILURES, n);
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
        metrics.counter(SOURCE_FAILURES, name).inc();
    }

    /** Registers the aggregate series of discovered distribution points, at zero until used. */
    void discovered(final @NotNull LongSupplier sources, final @NotNull LongSupplier entries) {
        metrics.gauge(DISCOVERED_SOURCES, null, sources);
        metrics.gauge(DISCOVERED_ENTRIES, null, entries);
        metrics.counter(DISCOVERED_FETCHES);
        metrics.counter(DISCOVERED_FAILURES);
        metrics.counter(DISCOVERED_WAITS);
    }

    void discoveredFetch() {
        metrics.counter(DISCOVERED_FETCHES).inc();
    }

    void discoveredFailure() {
        metrics.counter(DISCOVERED_FAILURES).inc();
    }

    /** A CONNECT waited for a discovered URL's CRL. */
    public void discoveredWait() {
        metrics.counter(DISCOVERED_WAITS).inc();
    }

    /** Registers the gauges of a watched certificate (its configured path names it). */
    void watch(
            final @NotNull String path,
            final @NotNull LongSupplier secondsToExpiry,
            final @NotNull LongSupplier revoked) {
        metrics.gauge(WATCH_EXPIRY, path, secondsToExpiry);
        metrics.gauge(WATCH_REVOKED, path, revoked);
    }

    /** Registers the gauge of connections whose path is tracked. */
    public void trackedGauge(final @NotNull LongSupplier tracked) {
        metrics.gauge(TRACKED, null, tracked);
    }

    /** Registers the gauge of the deny list's size. */
    public void denyListGauge(final @NotNull LongSupplier entries) {
        metrics.gauge(DENY_LIST_ENTRIES, null, entries);
    }

    public void rejectedRevoked() {
        metrics.counter(REJECTED, REVOKED).inc();
    }

    public void rejectedUnavailable() {
        metrics.counter(REJECTED, UNAVAILABLE).inc();
    }

    public void rejectedUnknownIssuer() {
        metrics.counter(REJECTED, UNKNOWN_ISSUER).inc();
    }

    public void allowedUnavailable() {
        metrics.counter(ALLOWED, UNAVAILABLE).inc();
    }

    /** A connected client cut because its certificate (or a CA on its path) was revoked. */
    public void liveDisconnect() {
        metrics.counter(LIVE_DISCONNECTS).inc();
    }

    /** A CONNECT refused by the operator's deny list. */
    public void rejectedDenied() {
        metrics.counter(REJECTED, DENIED).inc();
    }

    /** A connected client cut by the operator's deny list. */
    public void deniedDisconnect() {
        metrics.counter(DENIED_DISCONNECTS).inc();
    }

    /** An OCSP answer taken from the cache. */
    public void ocspCacheHit() {
        metrics.counter(OCSP_CACHE_HITS).inc();
    }

    /** An OCSP request sent. */
    public void ocspRequest() {
        metrics.counter(OCSP_REQUESTS).inc();
    }

    /** An OCSP request ended: counts the status or the failure's cause, and the latency. */
    public void ocspAnswer(final @NotNull OcspAnswer answer, final long nanos) {
        final Timer latency = metrics.timer(OCSP_LATENCY);
        latency.update(nanos, TimeUnit.NANOSECONDS);
        if (answer.status() != null) {
            metrics.counter(OCSP_RESPONSES, answer.status().name().toLowerCase(Locale.ROOT))
                    .inc();
        } else {
            metrics.counter(OCSP_FAILURES, answer.failure()).inc();
        }
    }

    /** A CONNECT refused because OCSP says revoked. */
    public void rejectedOcspRevoked() {
        metrics.counter(REJECTED, OCSP_REVOKED).inc();
    }

    /** A CONNECT refused because no OCSP status could be had. */
    public void rejectedOcspUnavailable() {
        metrics.counter(REJECTED, OCSP_UNAVAILABLE).inc();
    }

    /** A CONNECT admitted without an OCSP status ({@code when-unavailable=allow}). */
    public void allowedOcspUnavailable() {
        metrics.counter(ALLOWED, OCSP_UNAVAILABLE).inc();
    }

    /** A connected client cut because OCSP turned its certificate revoked. */
    public void ocspLiveDisconnect() {
        metrics.counter(OCSP_LIVE_DISCONNECTS).inc();
    }

    public void remove() {
        metrics.removeAll();
    }
}
