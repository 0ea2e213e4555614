package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.text.UntrustedText;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Decides every CONNECT: a verified identity, a client id bound to it, a will within its rights;
 * then hands HiveMQ the identity's topic permissions with default behaviour DENY. Anything else is
 * refused with a specific reason code and reason string, logged once with identity, client id,
 * listener and certificate fingerprint. Stateless (one shared instance); thread-safe.
 */
public final class CertificateAuthenticator implements SimpleAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(CertificateAuthenticator.class);

    private final @NotNull IdentityResolver resolver;
    private final @NotNull AclConfig config;
    private final @NotNull TopicPermissions permissions;
    private final @NotNull AclMetrics metrics;

    public CertificateAuthenticator(
            final @NotNull IdentityResolver resolver,
            final @NotNull AclConfig config,
            final @NotNull TopicPermissions permissions,
            final @NotNull AclMetrics metrics) {
        this.resolver = resolver;
        this.config = config;
        this.permissions = permissions;
        this.metrics = metrics;
    }

    @Override
    public void onConnect(final @NotNull SimpleAuthInput input, final @NotNull SimpleAuthOutput output) {
        final ConnectPacket connect = input.getConnectPacket();
        final String listener = input.getConnectionInformation()
                .getListener()
                .map(Listener::getName)
                .orElse("-");
        final Resolution resolution =
                SessionBindingInterceptor.resolve(resolver, input.getConnectionInformation(), connect);
        final Principal principal = resolution.principal();
        if (principal == null) {
            reject(output, resolution.rejectReason(), resolution.detail(), resolution, connect, listener);
            return;
        }
        final String clientId = connect.getClientId();
        if (config.requireClientIdEqualsIdentity() && !clientId.equals(principal.name())) {
            reject(
                    output,
                    RejectReason.CLIENT_ID_MISMATCH,
                    "client id must equal the identity " + principal.name(),
                    resolution,
                    connect,
                    listener);
            return;
        }
        if (!ClientIdNamespace.isBound(principal.name(), clientId)) {
            reject(
                    output,
                    RejectReason.CLIENT_ID_NOT_BOUND,
                    "client id is not bound to identity " + principal.name(),
                    resolution,
                    connect,
                    listener);
            return;
        }
        final Optional<WillPublishPacket> will = connect.getWillPublish();
        if (will.isPresent() && !principal.mayPublishTo(will.get().getTopic())) {
            reject(
                    output,
                    RejectReason.WILL_DENIED,
                    "will topic '" + UntrustedText.escape(will.get().getTopic()) + "' is not allowed for "
                            + principal.name(),
                    resolution,
                    connect,
                    listener);
            return;
        }
        final ModifiableDefaultPermissions defaults = output.getDefaultPermissions();
        defaults.clear();
        defaults.addAll(permissions.of(principal));
        defaults.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        metrics.accepted();
        output.authenticateSuccessfully();
    }

    private void reject(
            final SimpleAuthOutput output,
            final RejectReason reason,
            final String detail,
            final Resolution resolution,
            final ConnectPacket connect,
            final String listener) {
        metrics.rejected(reason);
        log.warn(
                "acl-extension refused CONNECT ({}): {}; identity '{}', client id '{}', listener {}, certificate sha256 {}",
                reason.metricName(),
                detail,
                resolution.presentedName(),
                UntrustedText.escape(connect.getClientId()),
                listener,
                resolution.fingerprint());
        output.failAuthentication(reason.connackReasonCode(), detail);
    }
}
