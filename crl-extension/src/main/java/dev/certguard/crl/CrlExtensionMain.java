package dev.certguard.crl;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.ManagedExtensionExecutorService;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.config.CrlConfigParser;
import dev.certguard.crl.enforce.RevocationAuthenticator;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.source.CrlSource;
import dev.certguard.crl.source.FileSource;
import dev.certguard.crl.source.HttpSource;
import dev.certguard.crl.state.CertificateWatch;
import dev.certguard.crl.state.CrlHighWaterMarks;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.CrlRefresher;
import dev.certguard.crl.state.LiveRevocation;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.status.ExtensionStatus;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: reads the configuration, loads the CRLs once, schedules their refresh on the
 * extension executor, registers the revocation authenticator (which runs before acl-extension's)
 * and the per-connection listener for live revocation. An invalid configuration registers an
 * authenticator that refuses everyone.
 */
public final class CrlExtensionMain implements ExtensionMain {

    private static final Logger log = LoggerFactory.getLogger(CrlExtensionMain.class);
    private static final String ID = "crl-extension";
    /** Client certificates whose issuing CA is remembered (about 100 bytes each). */
    private static final long CACHED_PATHS = 200_000;
    /** How long a cut waits for a contended client id to settle, and how often. */
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private static final int MAX_RECHECKS = 30;

    private CrlRefresher refresher;
    private ConnectionCutter cutter;
    private CrlMetrics metrics;

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final MetricRegistry registry = Services.metricRegistry();
        final Path home =
                input.getExtensionInformation().getExtensionHomeFolder().toPath();
        final CrlConfig config;
        try {
            config = CrlConfigParser.parse(home.resolve("conf").resolve("config.xml"), home, System.getenv());
        } catch (final InvalidConfigException e) {
            e.problems().forEach(problem -> log.error("{}", problem));
            log.error("crl-extension refuses every client until its configuration is fixed and HiveMQ is restarted");
            final SimpleAuthenticator denyAll = (authInput, authOutput) -> authOutput.failAuthentication(
                    ConnackReasonCode.SERVER_UNAVAILABLE,
                    "crl-extension configuration is invalid; the broker accepts no clients until it is fixed");
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> denyAll);
            ExtensionStatus.reportFailed(registry, ID, "invalid configuration: " + e.getMessage());
            return;
        }
        final Clock clock = Clock.systemUTC();
        metrics = new CrlMetrics(registry, clock);
        final ManagedExtensionExecutorService executor = Services.extensionExecutorService();
        final Authorities authorities = new Authorities(config.caCertificates(), CACHED_PATHS);
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
        final ClientService clients = Services.clientService();
        // In HiveMQ's data folder: survives restarts and upgrades that replace the extension folder.
        final RevocationState state = new RevocationState(CrlHighWaterMarks.load(input.getServerInformation()
                .getDataFolder()
                .toPath()
                .resolve("certguard")
                .resolve("crl-high-water-marks.properties")));
        final ClientIdOwnership owners = new ClientIdOwnership();
        cutter = new ConnectionCutter(
                ID,
                owners,
                clients::disconnectClient,
                (task, delay) -> executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
                RECHECK,
                MAX_RECHECKS);
        final LiveRevocation live = new LiveRevocation(
                cutter,
                authorities,
                state::snapshot,
                metrics,
                clock,
                config.gracePeriod(),
                config.disconnectRevokedClients());
        final CertificateWatch watch = new CertificateWatch(
                config.watchCertificates(), config.warnBeforeExpiry(), authorities, metrics, clock);
        final LiveRevocation connections = live;
        refresher = new CrlRefresher(
                sources,
                new CrlVerifier(config.caCertificates(), config.gracePeriod()),
                state,
                metrics,
                clock,
                connections::sweep);

        try {
            refresher.refresh().get(config.httpTimeout().toMillis() + 5000, TimeUnit.MILLISECONDS);
        } catch (final TimeoutException e) {
            log.warn(
                    "crl-extension: the first CRL load is still running; until it ends, when-unavailable={} applies",
                    config.whenUnavailable());
        } catch (final Exception e) {
            log.warn("crl-extension: first CRL load failed: {}", e.toString());
        }
        watch.check(state.snapshot());
        final CrlRefresher periodic = refresher;
        executor.scheduleWithFixedDelay(
                () -> periodic.refresh().whenComplete((ignored, e) -> watch.check(state.snapshot())),
                config.refreshInterval().toMillis(),
                config.refreshInterval().toMillis(),
                TimeUnit.MILLISECONDS);

        final RevocationAuthenticator authenticator =
                new RevocationAuthenticator(state, metrics, config, authorities, clock);
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
        Services.eventRegistry()
                .setClientLifecycleEventListener(providerInput -> new ConnectionListener<>(owners, connections));
        ExtensionStatus.reportRunning(registry, ID);
        log.info(
                "crl-extension {} started: {} CA certificates, {} CRL sources, {} CRLs loaded, refresh every {} s, when-unavailable={}",
                input.getExtensionInformation().getVersion(),
                config.caCertificates().size(),
                sources.size(),
                state.snapshot().crls().size(),
                config.refreshInterval().getSeconds(),
                config.whenUnavailable());
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        if (refresher != null) {
            refresher.stop();
        }
        if (cutter != null) {
            cutter.stop();
        }
        if (metrics != null) {
            metrics.remove();
        }
        ExtensionStatus.clear(Services.metricRegistry(), ID);
    }
}
