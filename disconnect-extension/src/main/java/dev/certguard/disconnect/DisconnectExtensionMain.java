package dev.certguard.disconnect;

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
import dev.certguard.disconnect.config.DisconnectChanges;
import dev.certguard.disconnect.config.DisconnectConfig;
import dev.certguard.disconnect.config.DisconnectConfigParser;
import dev.certguard.disconnect.hivemq.RefuseEveryone;
import dev.certguard.disconnect.lifetime.DisconnectMetrics;
import dev.certguard.disconnect.lifetime.LifetimePolicy;
import dev.certguard.disconnect.lifetime.LifetimeTracker;
import dev.certguard.reload.ConfigReload;
import dev.certguard.reload.FileWatcher;
import dev.certguard.status.ExtensionStatus;
import dev.certguard.text.SafeLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Wiring only: reads the configuration, builds the lifetime tracker on the shared connection model,
 * registers the per-connection listener, starts and stops the one deadline thread, and watches
 * {@code conf/config.xml} to reload it on a change. An invalid configuration registers an
 * authenticator that refuses everyone, so no connection runs without its lifetime.
 */
public final class DisconnectExtensionMain implements ExtensionMain {

    private static final SafeLog log = SafeLog.of(DisconnectExtensionMain.class);
    private static final String ID = "disconnect-extension";

    /** How long a cut waits for a contended client id to settle, and how often. */
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private static final int MAX_RECHECKS = 30;
    /** The fallback check of the configuration file when no file-system event arrives. */
    private static final Duration POLL = Duration.ofSeconds(1);

    private static final Duration SETTLE = Duration.ofMillis(200);

    private LifetimeTracker tracker;
    private ConnectionCutter cutter;
    private DisconnectMetrics metrics;
    private FileWatcher watcher;

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final MetricRegistry registry = Services.metricRegistry();
        final Path file = input.getExtensionInformation()
                .getExtensionHomeFolder()
                .toPath()
                .resolve("conf")
                .resolve("config.xml");
        final DisconnectConfig config;
        try {
            config = DisconnectConfigParser.parse(file, System.getenv());
        } catch (final InvalidConfigException e) {
            e.problems().forEach(problem -> log.error("{}", problem));
            log.error(
                    "disconnect-extension refuses every client until its configuration is fixed and HiveMQ is restarted");
            final ClientIdOwnership owners = ClientIdOwnership.withoutCertificates();
            final ConnectionCutter.Scheduler scheduler = scheduler(Services.extensionExecutorService());
            cutter = new ConnectionCutter(
                    ID, owners, Services.clientService()::disconnectClient, scheduler, RECHECK, MAX_RECHECKS);
            final RefuseEveryone refuse = new RefuseEveryone(cutter, scheduler);
            final SimpleAuthenticator denyAll = refuse.authenticator();
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> denyAll);
            Services.securityRegistry().setAuthorizerProvider(providerInput -> refuse);
            Services.eventRegistry()
                    .setClientLifecycleEventListener(providerInput -> new ConnectionListener<>(owners, refuse));
            ExtensionStatus.reportFailed(registry, ID, "invalid configuration: " + e.getMessage());
            return;
        }
        metrics = new DisconnectMetrics(registry);
        final Audit audit = new Audit(ID, Clock.systemUTC());
        final ClientService clients = Services.clientService();
        final ManagedExtensionExecutorService executor = Services.extensionExecutorService();
        final ClientIdOwnership owners = ClientIdOwnership.withoutCertificates();
        cutter =
                new ConnectionCutter(ID, owners, clients::disconnectClient, scheduler(executor), RECHECK, MAX_RECHECKS);
        tracker = new LifetimeTracker(
                policy(config),
                cutter,
                metrics,
                config.sendWillMessage(),
                Clock.systemUTC(),
                () -> System.nanoTime() / 1_000_000,
                audit);
        tracker.start(runnable -> {
            final Thread thread = new Thread(runnable, "certguard-connection-lifetimes");
            thread.setDaemon(true);
            return thread;
        });
        final LifetimeTracker lifetimes = tracker;
        metrics.gauges(lifetimes::tracked, owners::clientIds);
        Services.eventRegistry()
                .setClientLifecycleEventListener(providerInput -> new ConnectionListener<>(owners, lifetimes));
        final ConfigReload<DisconnectConfig> reload = new ConfigReload<>(
                ID,
                DisconnectConfigParser.FILE_NAME,
                config,
                () -> DisconnectConfigParser.parse(file, System.getenv()),
                (previous, next) -> {
                    final int earlier = lifetimes.reconfigure(policy(next), next.sendWillMessage());
                    final String change = DisconnectChanges.describe(previous, next);
                    return change == null
                            ? null
                            : change + "; " + earlier
                                    + " connection deadline(s) brought forward, the rest apply from the next CONNECT";
                },
                registry);
        reload.reporting(audit.reloads());
        watcher = new FileWatcher(ID, POLL, SETTLE);
        watcher.watch(file, reload::reload);
        watcher.start(runnable -> {
            final Thread thread = new Thread(runnable, "certguard-disconnect-config-watch");
            thread.setDaemon(true);
            return thread;
        });
        ExtensionStatus.reportRunning(registry, ID);
        log.info(
                "disconnect-extension {} started: lifetime {} s (jitter up to {}%), certificate expiry {}, will on disconnect {}, {} exempt identities",
                input.getExtensionInformation().getVersion(),
                config.maxConnectionLifetime().getSeconds(),
                config.jitterPercent(),
                config.disconnectOnCertificateExpiry() ? "enforced" : "ignored",
                config.sendWillMessage() ? "sent" : "suppressed",
                config.exemptIdentities().size());
    }

    private static LifetimePolicy policy(final DisconnectConfig config) {
        return new LifetimePolicy(config, bound -> ThreadLocalRandom.current().nextLong(bound));
    }

    private static ConnectionCutter.Scheduler scheduler(final ManagedExtensionExecutorService executor) {
        return (task, delay) -> executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        if (watcher != null) {
            watcher.stop();
        }
        ConfigReload.removeMetrics(Services.metricRegistry(), ID);
        if (tracker != null) {
            tracker.stop();
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
