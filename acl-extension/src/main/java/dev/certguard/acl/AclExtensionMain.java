package dev.certguard.acl;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.ManagedExtensionExecutorService;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import com.hivemq.extension.sdk.api.services.subscription.SubscriptionStore;
import com.hivemq.extension.sdk.api.services.subscription.TopicSubscription;
import dev.certguard.acl.auth.AclMetrics;
import dev.certguard.acl.auth.AclRuntime;
import dev.certguard.acl.auth.CertificateAuthenticator;
import dev.certguard.acl.auth.ConfigInvalidAuthenticator;
import dev.certguard.acl.auth.DollarTopicGuard;
import dev.certguard.acl.auth.Grants;
import dev.certguard.acl.auth.SessionBindingInterceptor;
import dev.certguard.acl.auth.SubscriptionAudit;
import dev.certguard.acl.auth.SubscriptionGuard;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.AclConfigParser;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.FleetAuditMetrics;
import dev.certguard.acl.fleet.FleetCensus;
import dev.certguard.acl.live.AclChanges;
import dev.certguard.acl.live.DeliveryFilter;
import dev.certguard.acl.live.LiveRights;
import dev.certguard.acl.live.SessionSubscriptions;
import dev.certguard.audit.Audit;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.reload.ConfigReload;
import dev.certguard.reload.FileWatcher;
import dev.certguard.status.ExtensionStatus;
import dev.certguard.text.SafeLog;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;

/**
 * Wiring only: reads the configuration, builds the authenticator, session binding, live rights and
 * counters, registers them, and watches {@code conf/config.xml} to reload it on a change. An invalid
 * configuration at start registers an authenticator that refuses everyone.
 */
public final class AclExtensionMain implements ExtensionMain {

    private static final SafeLog log = SafeLog.of(AclExtensionMain.class);
    private static final String ID = "acl-extension";
    /** How long a cut waits for a contended client id to settle, and how often. */
    private static final Duration RECHECK = Duration.ofSeconds(1);

    private static final int MAX_RECHECKS = 30;
    /** The fallback check of the configuration file when no file-system event arrives. */
    private static final Duration POLL = Duration.ofSeconds(1);

    private static final Duration SETTLE = Duration.ofMillis(200);
    /** Where crl-extension's fleet-audit checks count their findings; the report includes them. */
    private static final String CRL_CHECKS = "dev.certguard.audit.findings.";

    private static final String CRL_FINDINGS = "dev.certguard.audit.findings-list.";

    private AclMetrics metrics;
    private FleetAuditMetrics fleetMetrics;
    private FileWatcher watcher;
    private ConnectionCutter cutter;

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final MetricRegistry registry = Services.metricRegistry();
        metrics = new AclMetrics(registry);
        final Audit audit = new Audit(ID, Clock.systemUTC());
        final Path file = input.getExtensionInformation()
                .getExtensionHomeFolder()
                .toPath()
                .resolve("conf")
                .resolve("config.xml");
        final AclConfig config;
        try {
            config = AclConfigParser.parse(file, System.getenv());
        } catch (final InvalidConfigException e) {
            e.problems().forEach(problem -> log.error("{}", problem));
            log.error("acl-extension refuses every client until its configuration is fixed and HiveMQ is restarted");
            final ConfigInvalidAuthenticator denyAll = new ConfigInvalidAuthenticator(metrics, audit);
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> denyAll);
            ExtensionStatus.reportFailed(registry, ID, "invalid configuration: " + e.getMessage());
            return;
        }
        warnUsernameListeners(config);
        final AtomicReference<AclRuntime> runtime =
                new AtomicReference<>(AclRuntime.of(config, Builders::topicPermission));
        final Grants grants = new Grants();
        final ManagedExtensionExecutorService executor = Services.extensionExecutorService();
        final ClientIdOwnership owners = ClientIdOwnership.withoutCertificates();
        cutter = new ConnectionCutter(
                ID,
                owners,
                Services.clientService()::disconnectClient,
                (task, delay) -> executor.schedule(task, delay.toMillis(), TimeUnit.MILLISECONDS),
                RECHECK,
                MAX_RECHECKS);
        final LiveRights live = new LiveRights(
                runtime::get, grants, cutter, subscriptions(Services.subscriptionStore(), executor), metrics, audit);
        metrics.trackedGauge(live::tracked);
        final FleetCensus census = new FleetCensus();
        final FleetAudit fleetAudit = new FleetAudit(
                Clock.systemUTC(),
                audit,
                census,
                () -> runtime.get().config().fleetAudit(),
                connection -> cutter.cut(
                        connection,
                        new ConnectionCutter.Cut(
                                FleetAudit.SHARED_CUT, FleetAudit.SHARED_CUT.text(), true, false, true)));
        fleetMetrics = new FleetAuditMetrics(registry, fleetAudit);
        // crl-extension's self-check, read from the registry both extensions share (null while it is not running).
        for (final String check : List.of("revoked-still-connected", "ca-key-quality")) {
            fleetAudit.includeCheck(
                    check,
                    () -> {
                        final Gauge<?> gauge = registry.getGauges().get(CRL_CHECKS + check);
                        final Object value = gauge == null ? null : gauge.getValue();
                        return value instanceof Number ? (Number) value : null;
                    },
                    () -> {
                        final Gauge<?> gauge = registry.getGauges().get(CRL_FINDINGS + check);
                        final Object value = gauge == null ? null : gauge.getValue();
                        return value instanceof List ? (List<?>) value : null;
                    });
        }
        fleetAudit.configured(config);
        final CertificateAuthenticator authenticator =
                new CertificateAuthenticator(runtime::get, grants, metrics, audit, fleetAudit);
        final SessionBindingInterceptor sessionBinding = new SessionBindingInterceptor(runtime::get);

        Services.interceptorRegistry().setConnectInboundInterceptorProvider(providerInput -> sessionBinding);
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
        Services.initializerRegistry().setClientInitializer((initializerInput, clientContext) -> {
            final SubscriptionAudit subscriptions = new SubscriptionAudit(metrics, audit, fleetAudit);
            clientContext.addSubscribeInboundInterceptor(subscriptions);
            clientContext.addSubackOutboundInterceptor(subscriptions);
            final String owner =
                    DeliveryFilter.owner(initializerInput.getClientInformation().getClientId());
            final ServiceRule service = runtime.get().config().service(owner);
            if (service != null && DollarTopicGuard.needed(service.publish())) {
                clientContext.addPublishInboundInterceptor(new DollarTopicGuard(service.publish()));
            }
            if (service != null && SubscriptionGuard.needed(service.subscribe())) {
                // After the audit interceptor, which records the filter the client asked for.
                clientContext.addSubscribeInboundInterceptor(new SubscriptionGuard(service.subscribe()));
            }
            if (live.isNarrowed(owner)) {
                clientContext.addPublishOutboundInterceptor(new DeliveryFilter(owner, runtime::get));
            }
        });
        Services.eventRegistry()
                .setClientLifecycleEventListener(
                        providerInput -> new ConnectionListener<>(owners, fleetAudit.observing(live)));
        live.pruneStoredSessionsAtStart().whenComplete((ignored, e) -> {
            if (e != null) {
                log.warn(
                        "acl-extension: could not check the stored sessions against the configuration: {}",
                        e.toString());
            }
        });

        final ConfigReload<AclConfig> reload = new ConfigReload<>(
                ID,
                AclConfigParser.FILE_NAME,
                config,
                () -> AclConfigParser.parse(file, System.getenv()),
                (previous, next) -> {
                    final AclRuntime before = runtime.get();
                    final AclRuntime after = AclRuntime.of(next, Builders::topicPermission);
                    runtime.set(after);
                    warnUsernameListeners(next);
                    fleetAudit.configured(next);
                    final int cut = live.applied(before, after);
                    final String change = AclChanges.describe(previous, next);
                    return change == null && cut == 0
                            ? null
                            : (change == null ? "no rule changed" : change) + "; " + cut
                                    + " connection(s) disconnected whose rights narrowed";
                },
                registry);
        reload.reporting(audit.reloads());
        watcher = new FileWatcher(ID, POLL, SETTLE);
        watcher.watch(file, reload::reload);
        watcher.start(runnable -> {
            final Thread thread = new Thread(runnable, "certguard-acl-config-watch");
            thread.setDaemon(true);
            return thread;
        });
        ExtensionStatus.reportRunning(registry, ID);
        log.info(
                "acl-extension {} started: {} service identities, client ids {}",
                input.getExtensionInformation().getVersion(),
                config.services().size(),
                config.requireClientIdEqualsIdentity() ? "must equal the identity" : "bound to the identity");
    }

    private static void warnUsernameListeners(final AclConfig config) {
        for (final String listener : config.usernameIdentityListeners()) {
            log.warn(
                    "acl-extension: on listener '{}' the MQTT username is the identity, unverified; use it for testing only",
                    listener);
        }
    }

    private static SessionSubscriptions subscriptions(
            final SubscriptionStore store, final ManagedExtensionExecutorService executor) {
        return new SessionSubscriptions() {
            @Override
            public @NotNull CompletableFuture<Set<String>> of(final @NotNull String clientId) {
                return store.getSubscriptions(clientId).thenApply(AclExtensionMain::filters);
            }

            @Override
            public @NotNull CompletableFuture<Void> remove(
                    final @NotNull String clientId, final @NotNull Set<String> filters) {
                return store.removeSubscriptions(clientId, filters);
            }

            @Override
            public @NotNull CompletableFuture<Void> forEach(final @NotNull BiConsumer<String, Set<String>> session) {
                return store.iterateAllSubscriptions(
                        (context, result) -> session.accept(result.getClientId(), filters(result.getSubscriptions())),
                        executor);
            }
        };
    }

    private static Set<String> filters(final Set<TopicSubscription> subscriptions) {
        return subscriptions.stream().map(TopicSubscription::getTopicFilter).collect(Collectors.toSet());
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        if (watcher != null) {
            watcher.stop();
        }
        if (cutter != null) {
            cutter.stop();
        }
        ExtensionStatus.clear(Services.metricRegistry(), ID);
        ConfigReload.removeMetrics(Services.metricRegistry(), ID);
        if (metrics != null) {
            metrics.remove();
        }
        if (fleetMetrics != null) {
            fleetMetrics.remove();
        }
    }
}
