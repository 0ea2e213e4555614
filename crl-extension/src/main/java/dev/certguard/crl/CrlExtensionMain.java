package dev.certguard.crl;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.ManagedExtensionExecutorService;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import dev.certguard.audit.Audit;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.crl.config.CrlChanges;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.config.CrlConfigParser;
import dev.certguard.crl.config.OcspConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.enforce.CaAudit;
import dev.certguard.crl.enforce.CrlReasons;
import dev.certguard.crl.enforce.CrlRuntime;
import dev.certguard.crl.enforce.LiveRevocation;
import dev.certguard.crl.enforce.RevocationAuthenticator;
import dev.certguard.crl.enforce.SelfCheck;
import dev.certguard.crl.ocsp.OcspClient;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.source.CrlSource;
import dev.certguard.crl.source.FileSource;
import dev.certguard.crl.source.HttpSource;
import dev.certguard.crl.state.CertificateWatch;
import dev.certguard.crl.state.CrlCopies;
import dev.certguard.crl.state.CrlHighWaterMarks;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.CrlRefresher;
import dev.certguard.crl.state.DiscoveredCrls;
import dev.certguard.crl.state.DiscoveredUrlsFile;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.reload.ConfigReload;
import dev.certguard.reload.FileWatcher;
import dev.certguard.status.ExtensionStatus;
import dev.certguard.text.SafeLog;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wiring only: reads the configuration and the deny list, loads the CRLs once, schedules their
 * refresh on the extension executor, registers the revocation authenticator (which runs before
 * acl-extension's) and the per-connection listener for live cuts, and watches
 * {@code conf/config.xml} and the deny list to apply changes without a restart. An invalid
 * configuration at start registers an authenticator that refuses everyone.
 */
public final class CrlExtensionMain implements ExtensionMain {

    private static final SafeLog log = SafeLog.of(CrlExtensionMain.class);
    private static final String ID = "crl-extension";
    /** Client certificates whose issuing CA is remembered (about 100 bytes each). */
    private static final long CACHED_PATHS = 200_000;
    /** How long a cut waits for a contended client id to settle, and how often. */
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private static final int MAX_RECHECKS = 30;
    /** How often the fleet audit's self-check holds every connection against the state in force. */
    private static final long SELF_CHECK_SECONDS = 60;
    /** The fallback check of the watched files when no file-system event arrives. */
    private static final Duration POLL = Duration.ofSeconds(1);

    private static final Duration SETTLE = Duration.ofMillis(150);

    /** The CRL refresh of one configuration: its sources, their schedule and the watched certificates. */
    private static final class Refreshing {
        final @NotNull CrlRefresher refresher;
        final @NotNull ScheduledFuture<?> schedule;
        final @NotNull CompletableFuture<Void> first;

        Refreshing(
                final @NotNull CrlRefresher refresher,
                final @NotNull ScheduledFuture<?> schedule,
                final @NotNull CompletableFuture<Void> first) {
            this.refresher = refresher;
            this.schedule = schedule;
            this.first = first;
        }

        void stop() {
            schedule.cancel(false);
            refresher.stop();
        }
    }

    private final AtomicReference<CrlRuntime> runtime = new AtomicReference<>();
    private volatile Refreshing refreshing;
    private ConnectionCutter cutter;
    private CrlMetrics metrics;
    private FileWatcher watcher;
    private ExecutorService copyWriter;
    private volatile ScheduledExecutorService sweeper;
    private volatile LiveRevocation live;
    private volatile SelfCheck selfCheck;
    private volatile CaAudit caAudit;
    private CrlCopies copies = CrlCopies.none();
    private volatile DiscoveredCrls discovered;

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final MetricRegistry registry = Services.metricRegistry();
        final Audit audit = new Audit(ID, Clock.systemUTC());
        final Path home =
                input.getExtensionInformation().getExtensionHomeFolder().toPath();
        final Path file = home.resolve("conf").resolve("config.xml");
        final CrlConfig config;
        try {
            config = CrlConfigParser.parse(file, home, System.getenv());
        } catch (final InvalidConfigException e) {
            e.problems().forEach(problem -> log.error("{}", problem));
            log.error("crl-extension refuses every client until its configuration is fixed and HiveMQ is restarted");
            final SimpleAuthenticator denyAll = (authInput, authOutput) -> {
                audit.event("connect.refused")
                        .reason(CrlReasons.CONFIG_INVALID.name())
                        .clientId(authInput.getConnectPacket().getClientId())
                        .connection(authInput.getConnectionInformation())
                        .write();
                authOutput.failAuthentication(
                        CrlReasons.CONFIG_INVALID.connackCode(), CrlReasons.CONFIG_INVALID.text());
            };
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> denyAll);
            ExtensionStatus.reportFailed(registry, ID, "invalid configuration: " + e.getMessage());
            return;
        }
        final Clock clock = Clock.systemUTC();
        metrics = new CrlMetrics(registry, clock);
        final ManagedExtensionExecutorService executor = Services.extensionExecutorService();
        final ClientService clients = Services.clientService();
        // One thread of its own writes the copies of remote CRLs and the high-water marks.
        copyWriter = Executors.newSingleThreadExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "certguard-crl-copies");
            thread.setDaemon(true);
            return thread;
        });
        // In HiveMQ's data folder: survives restarts and upgrades that replace the extension folder.
        final RevocationState state = new RevocationState(CrlHighWaterMarks.load(
                input.getServerInformation()
                        .getDataFolder()
                        .toPath()
                        .resolve("certguard")
                        .resolve("crl-high-water-marks.properties"),
                copyWriter));
        final ClientIdOwnership owners = new ClientIdOwnership();
        cutter = new ConnectionCutter(
                ID,
                owners,
                clients::disconnectClient,
                (task, delay) -> executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
                RECHECK,
                MAX_RECHECKS,
                clients::invalidateSession);
        runtime.set(new CrlRuntime(
                config,
                new Authorities(config.caCertificates(), CACHED_PATHS),
                config.denyList(),
                ocsp(config.ocsp(), executor, clock)));
        final LiveRevocation live = new LiveRevocation(cutter, runtime::get, state::snapshot, metrics, clock, audit);
        this.live = live;
        // Checks of the whole fleet (after a CRL, deny-list or configuration change, and the OCSP
        // refreshes) run on one thread of certguard's own, never on a broker or extension-executor thread.
        sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread thread = new Thread(runnable, "certguard-crl-sweep");
            thread.setDaemon(true);
            return thread;
        });
        // Changes that arrive while a sweep waits are covered by it: it reads the state in force when it starts.
        final Runnable sweep = queued(live::sweep);
        final Runnable sweepCrlChanges = queued(live::sweepCrlChanges);
        final Runnable sweepDenyList = queued(live::sweepDenyList);
        // OCSP refreshes held back by the cap go as soon as answers make room, not a second later.
        live.whenOcspRoom(queued(live::ocspSweep));
        metrics.denyListGauge(() -> runtime.get().denyList().size());

        copies = CrlCopies.in(
                input.getServerInformation()
                        .getDataFolder()
                        .toPath()
                        .resolve("certguard")
                        .resolve("crl-copies"),
                copyWriter);
        // Distribution points read from client certificates: fetched on the extension executor through
        // a client that never follows a redirect out of the allowed prefixes.
        final DiscoveredCrls discovered = new DiscoveredCrls(
                HttpClient.newBuilder()
                        .executor(executor)
                        .version(HttpClient.Version.HTTP_1_1)
                        .connectTimeout(config.httpTimeout())
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build(),
                () -> refreshing.refresher.loader(),
                state,
                discoverySettings(config),
                metrics,
                clock);
        this.discovered = discovered;
        refreshing = refreshing(config, runtime.get().authorities(), executor, state, sweepCrlChanges, clock, true);
        // The distribution points devices named before a restart, with their copies: a reconnecting
        // fleet is checked against them at once, while they are fetched again in the background.
        discovered.restore(DiscoveredUrlsFile.at(
                input.getServerInformation()
                        .getDataFolder()
                        .toPath()
                        .resolve("certguard")
                        .resolve("crl-discovered.properties"),
                copyWriter));
        refreshDiscovered(discovered);
        try {
            refreshing.first.get(config.httpTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (final TimeoutException e) {
            log.warn(
                    "crl-extension: the first CRL load is still running; until it ends, when-unavailable={} applies",
                    config.whenUnavailable());
        } catch (final Exception e) {
            log.warn("crl-extension: first CRL load failed: {}", e.toString());
        }

        // The fleet audit's CA checks: weak CAs are a WARN and a finding, every CA's expiry a gauge.
        caAudit = new CaAudit(Services.metricRegistry(), audit, clock);
        caAudit.judge(config.caCertificates());
        // The fleet audit's self-check: nobody excluded stays connected (must find nothing).
        selfCheck = new SelfCheck(live, sweep, audit, Services.metricRegistry(), clock);
        sweeper.scheduleWithFixedDelay(
                () -> {
                    try {
                        selfCheck.run();
                    } catch (final RuntimeException e) {
                        log.warn("crl-extension: self-check failed: {}", e.toString());
                    }
                },
                SELF_CHECK_SECONDS,
                SELF_CHECK_SECONDS,
                TimeUnit.SECONDS);
        // Connected clients' OCSP answers are refreshed before they expire (nothing to do without OCSP).
        sweeper.scheduleWithFixedDelay(
                () -> {
                    try {
                        live.ocspSweep();
                    } catch (final RuntimeException e) {
                        // A failed sweep must not end the schedule that runs the next one.
                        log.warn("crl-extension: OCSP sweep failed: {}", e.toString());
                    }
                },
                1,
                1,
                TimeUnit.SECONDS);
        final RevocationAuthenticator authenticator =
                new RevocationAuthenticator(state, metrics, runtime::get, clock, audit, discovered, executor);
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
        Services.eventRegistry()
                .setClientLifecycleEventListener(providerInput -> new ConnectionListener<>(owners, live));

        watcher = new FileWatcher(ID, POLL, SETTLE);
        final ConfigReload<DenyList> denyReload = new ConfigReload<>(
                ID,
                "the deny list",
                config.denyList(),
                () -> {
                    final Path denyFile = runtime.get().config().denyListFile();
                    if (denyFile == null) {
                        return DenyList.EMPTY;
                    }
                    if (!Files.exists(denyFile)) {
                        throw new InvalidConfigException(
                                List.of(
                                        denyFile
                                                + " was deleted; the last good deny list stays in force (empty the file to deny nobody)"));
                    }
                    return DenyList.read(denyFile, denyFile.toString());
                },
                (previous, next) -> {
                    runtime.updateAndGet(current -> current.withDenyList(next));
                    sweepDenyList.run();
                    return next.size() + " entries (were " + previous.size() + ")";
                },
                metrics.extensionMetrics(),
                CrlMetrics.denyReloadSuccesses(),
                CrlMetrics.denyReloadFailures());
        denyReload.reporting(audit.reloads());
        final ConfigReload<CrlConfig> reload = new ConfigReload<>(
                ID,
                CrlConfigParser.FILE_NAME,
                config,
                () -> CrlConfigParser.parse(file, home, System.getenv()),
                (previous, next) -> {
                    final CrlRuntime before = runtime.get();
                    final Authorities authorities = next.caCertificates().equals(previous.caCertificates())
                            ? before.authorities()
                            : new Authorities(next.caCertificates(), CACHED_PATHS);
                    if (!next.caCertificates().equals(previous.caCertificates())) {
                        caAudit.judge(next.caCertificates());
                    }
                    final Refreshing replaced = refreshing;
                    discovered.configure(discoverySettings(next));
                    refreshing = refreshing(next, authorities, executor, state, sweepCrlChanges, clock, false);
                    replaced.stop();
                    runtime.set(new CrlRuntime(
                            next,
                            authorities,
                            next.denyList(),
                            next.ocsp().equals(previous.ocsp()) ? before.ocsp() : ocsp(next.ocsp(), executor, clock)));
                    if (!Objects.equals(previous.denyListFile(), next.denyListFile())) {
                        if (previous.denyListFile() != null) {
                            watcher.unwatch(previous.denyListFile());
                        }
                        if (next.denyListFile() != null) {
                            watcher.watch(next.denyListFile(), denyReload::reload);
                        }
                    }
                    sweep.run();
                    return CrlChanges.describe(previous, next);
                },
                registry);
        reload.reporting(audit.reloads());
        watcher.watch(file, reload::reload);
        if (config.denyListFile() != null) {
            watcher.watch(config.denyListFile(), denyReload::reload);
        }
        watcher.start(runnable -> {
            final Thread thread = new Thread(runnable, "certguard-crl-config-watch");
            thread.setDaemon(true);
            return thread;
        });
        ExtensionStatus.reportRunning(registry, ID);
        log.info(
                "crl-extension {} started: {} CA certificates, {} CRL sources, {} CRLs loaded, refresh every {} s, when-unavailable={}, {} deny-list entries, client-distribution-points {}, OCSP {}",
                input.getExtensionInformation().getVersion(),
                config.caCertificates().size(),
                config.fileSources().size() + config.httpSources().size(),
                state.snapshot().crls().size(),
                config.refreshInterval().getSeconds(),
                config.whenUnavailable(),
                config.denyList().size(),
                config.clientDistributionPoints(),
                config.ocsp().enabled()
                        ? "on ("
                                + (config.ocsp().responderUrl() == null
                                        ? "AIA"
                                        : config.ocsp().responderUrl()) + ", when-unavailable="
                                + config.ocsp().whenUnavailable() + ")"
                        : "off");
    }

    /** What discovery takes from {@code config}. */
    private static DiscoveredCrls.Settings discoverySettings(final CrlConfig config) {
        final java.util.Set<String> configured = new java.util.HashSet<>();
        config.httpSources().forEach(uri -> configured.add(uri.toString()));
        return new DiscoveredCrls.Settings(
                config.clientDistributionPoints(),
                config.httpTimeout(),
                config.maxCrlBytes(),
                config.refreshInterval(),
                configured);
    }

    /** {@code sweep} on the sweep thread, queued at most once: a queued sweep covers every later request. */
    private Runnable queued(final Runnable sweep) {
        final AtomicBoolean waiting = new AtomicBoolean();
        return () -> {
            if (waiting.compareAndSet(false, true)) {
                try {
                    sweeper.execute(() -> {
                        waiting.set(false);
                        try {
                            sweep.run();
                        } catch (final RuntimeException e) {
                            log.warn("crl-extension: a check of the connected clients failed: {}", e.toString());
                        }
                    });
                } catch (final RejectedExecutionException e) {
                    waiting.set(false); // the extension is stopping
                }
            }
        };
    }

    /** The OCSP answers for {@code ocsp}, or {@code null} when OCSP is off. */
    private OcspStatuses ocsp(
            final OcspConfig ocsp, final ManagedExtensionExecutorService executor, final Clock clock) {
        if (!ocsp.enabled()) {
            return null;
        }
        final HttpClient http = HttpClient.newBuilder()
                .executor(executor)
                // OCSP responders speak HTTP/1.x; an HTTP/2 upgrade attempt makes simple ones stall.
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(ocsp.timeout())
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        final OcspStatuses statuses = new OcspStatuses(
                new OcspClient(http, ocsp.responderUrl(), ocsp.timeout(), ocsp.cacheFor(), ocsp.useNonce(), clock),
                ocsp.maxCachedResponses(),
                metrics,
                clock);
        // A revoked answer, whoever asked, reaches the connected clients it concerns at once.
        statuses.onRevoked(certificate -> {
            final ScheduledExecutorService thread = sweeper;
            final LiveRevocation tracked = live;
            if (thread != null && tracked != null) {
                try {
                    thread.execute(() -> tracked.ocspRevoked(certificate));
                } catch (final RejectedExecutionException e) {
                    // the extension is stopping
                }
            }
        });
        return statuses;
    }

    /** Builds the sources of {@code config} and starts their refresh: one now, then every interval. */
    private Refreshing refreshing(
            final CrlConfig config,
            final Authorities authorities,
            final ManagedExtensionExecutorService executor,
            final RevocationState state,
            final Runnable sweepCrlChanges,
            final Clock clock,
            final boolean restore) {
        final List<CrlSource> sources = new ArrayList<>();
        config.fileSources().forEach(path -> sources.add(new FileSource(path, config.maxCrlBytes())));
        if (!config.httpSources().isEmpty()) {
            final HttpClient http = HttpClient.newBuilder()
                    .executor(executor)
                    .connectTimeout(config.httpTimeout())
                    .followRedirects(HttpClient.Redirect.NORMAL)
                    .build();
            for (final URI uri : config.httpSources()) {
                sources.add(new HttpSource(uri, http, config.httpTimeout(), config.maxCrlBytes()));
            }
        }
        final CertificateWatch watch = new CertificateWatch(
                config.watchCertificates(), config.warnBeforeExpiry(), authorities, metrics, clock);
        final CrlRefresher refresher = new CrlRefresher(
                sources,
                new CrlVerifier(config.caCertificates(), config.gracePeriod()),
                state,
                metrics,
                clock,
                snapshot -> sweepCrlChanges.run(),
                copies,
                config.maxCrlBytes());
        final DiscoveredCrls discovery = discovered;
        // A complete CRL that names its deltas (Freshest CRL) has them fetched when discovery allows.
        refresher.loader().whenInstalled(discovery::prefetchDeltas);
        if (restore) {
            // At start only: a reload keeps the CRLs already in use.
            refresher.restore();
        }
        final CompletableFuture<Void> first =
                refresher.refresh().whenComplete((ignored, e) -> watch.check(state.snapshot()));
        final ScheduledFuture<?> schedule = executor.scheduleWithFixedDelay(
                () -> {
                    refreshDiscovered(discovery);
                    refresher.refresh().whenComplete((ignored, e) -> watch.check(state.snapshot()));
                },
                config.refreshInterval().toMillis(),
                config.refreshInterval().toMillis(),
                TimeUnit.MILLISECONDS);
        return new Refreshing(refresher, schedule, first);
    }

    /**
     * Refreshes the discovered distribution points on the sweep thread: finding which ones connected
     * devices still name visits every tracked connection, which is no work for an executor thread.
     */
    private void refreshDiscovered(final DiscoveredCrls discovery) {
        final ScheduledExecutorService thread = sweeper;
        final LiveRevocation tracked = live;
        if (thread == null || tracked == null || (discovery.size() == 0)) {
            return;
        }
        try {
            thread.execute(() -> {
                try {
                    discovery.refresh(tracked::forEachDistributionPoints);
                } catch (final RuntimeException e) {
                    log.warn("crl-extension: refresh of discovered CRLs failed: {}", e.toString());
                }
            });
        } catch (final RejectedExecutionException e) {
            // the extension is stopping
        }
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        if (watcher != null) {
            watcher.stop();
        }
        final Refreshing current = refreshing;
        if (current != null) {
            current.stop();
        }
        if (discovered != null) {
            discovered.stop();
        }
        if (cutter != null) {
            cutter.stop();
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        if (copyWriter != null) {
            // A copy being written finishes; the file is replaced atomically either way.
            copyWriter.shutdown();
        }
        if (metrics != null) {
            metrics.remove();
        }
        if (caAudit != null) {
            caAudit.remove();
        }
        if (selfCheck != null) {
            selfCheck.remove();
        }
        ConfigReload.removeMetrics(Services.metricRegistry(), ID);
        ExtensionStatus.clear(Services.metricRegistry(), ID);
    }
}
