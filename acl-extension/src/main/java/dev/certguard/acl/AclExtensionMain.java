package dev.certguard.acl;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.ExtensionMain;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStartOutput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopInput;
import com.hivemq.extension.sdk.api.parameter.ExtensionStopOutput;
import com.hivemq.extension.sdk.api.services.Services;
import com.hivemq.extension.sdk.api.services.builder.Builders;
import dev.certguard.acl.auth.AclMetrics;
import dev.certguard.acl.auth.CertificateAuthenticator;
import dev.certguard.acl.auth.ConfigInvalidAuthenticator;
import dev.certguard.acl.auth.DeniedPublishCounter;
import dev.certguard.acl.auth.DeniedSubscriptionCounter;
import dev.certguard.acl.auth.IdentityResolver;
import dev.certguard.acl.auth.SessionBindingInterceptor;
import dev.certguard.acl.auth.TopicPermissions;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.AclConfigParser;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.status.ExtensionStatus;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Wiring only: reads the configuration, builds the authenticator, session binding and counters, and
 * registers them. An invalid configuration registers an authenticator that refuses everyone.
 */
public final class AclExtensionMain implements ExtensionMain {

    private static final Logger log = LoggerFactory.getLogger(AclExtensionMain.class);
    private static final String ID = "acl-extension";

    private AclMetrics metrics;

    @Override
    public void extensionStart(final @NotNull ExtensionStartInput input, final @NotNull ExtensionStartOutput output) {
        final MetricRegistry registry = Services.metricRegistry();
        metrics = new AclMetrics(registry);
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
            final ConfigInvalidAuthenticator denyAll = new ConfigInvalidAuthenticator(metrics);
            Services.securityRegistry().setAuthenticatorProvider(providerInput -> denyAll);
            ExtensionStatus.reportFailed(registry, ID, "invalid configuration: " + e.getMessage());
            return;
        }
        for (final String listener : config.usernameIdentityListeners()) {
            log.warn(
                    "acl-extension: on listener '{}' the MQTT username is the identity, unverified; use it for testing only",
                    listener);
        }
        final IdentityResolver resolver = new IdentityResolver(config);
        final CertificateAuthenticator authenticator = new CertificateAuthenticator(
                resolver, config, new TopicPermissions(Builders::topicPermission, config), metrics);
        final SessionBindingInterceptor sessionBinding = new SessionBindingInterceptor(resolver);
        final DeniedSubscriptionCounter subscriptionCounter = new DeniedSubscriptionCounter(metrics);
        final DeniedPublishCounter publishCounter = new DeniedPublishCounter(metrics);

        Services.interceptorRegistry().setConnectInboundInterceptorProvider(providerInput -> sessionBinding);
        Services.securityRegistry().setAuthenticatorProvider(providerInput -> authenticator);
        Services.initializerRegistry()
                .setClientInitializer((initializerInput, clientContext) ->
                        clientContext.addSubackOutboundInterceptor(subscriptionCounter));
        Services.eventRegistry().setClientLifecycleEventListener(providerInput -> publishCounter);
        ExtensionStatus.reportRunning(registry, ID);
        log.info(
                "acl-extension {} started: {} service identities, client ids {}",
                input.getExtensionInformation().getVersion(),
                config.services().size(),
                config.requireClientIdEqualsIdentity() ? "must equal the identity" : "bound to the identity");
    }

    @Override
    public void extensionStop(final @NotNull ExtensionStopInput input, final @NotNull ExtensionStopOutput output) {
        ExtensionStatus.clear(Services.metricRegistry(), ID);
        if (metrics != null) {
            metrics.remove();
        }
    }
}
