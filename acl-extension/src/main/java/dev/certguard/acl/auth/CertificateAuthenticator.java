package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.auth.DefaultAuthorizationBehaviour;
import com.hivemq.extension.sdk.api.packets.auth.ModifiableDefaultPermissions;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.packets.connect.WillPublishPacket;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.acl.fleet.Offenders;
import dev.certguard.acl.fleet.SharedCertificates;
import dev.certguard.audit.Audit;
import dev.certguard.keys.KeyQuality;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides every CONNECT: a verified identity, a client id bound to it, a will within its rights;
 * then hands HiveMQ the identity's topic permissions with default behaviour DENY. Anything else is
 * refused with a specific reason code and reason string, logged once with identity, client id,
 * listener and certificate fingerprint. Each CONNECT is decided by the one configuration in force
 * when it starts. Stateless (one shared instance); thread-safe.
 */
public final class CertificateAuthenticator implements SimpleAuthenticator {

    private static final SafeLog log = SafeLog.of(CertificateAuthenticator.class);

    private final @NotNull Supplier<AclRuntime> runtime;
    private final @NotNull Grants grants;
    private final @NotNull AclMetrics metrics;
    private final @NotNull Audit audit;
    private final @NotNull FleetAudit fleetAudit;

    /**
     * @param runtime the configuration in force, read once per CONNECT
     * @param grants where services' granted rights are left for the live checks
     * @param fleetAudit judges each certificate's key and signature
     */
    public CertificateAuthenticator(
            final @NotNull Supplier<AclRuntime> runtime,
            final @NotNull Grants grants,
            final @NotNull AclMetrics metrics,
            final @NotNull Audit audit,
            final @NotNull FleetAudit fleetAudit) {
        this.runtime = runtime;
        this.grants = grants;
        this.metrics = metrics;
        this.audit = audit;
        this.fleetAudit = fleetAudit;
    }

    @Override
    public void onConnect(final @NotNull SimpleAuthInput input, final @NotNull SimpleAuthOutput output) {
        final ConnectPacket connect = input.getConnectPacket();
        final String listener = input.getConnectionInformation()
                .getListener()
                .map(Listener::getName)
                .orElse("-");
        final AclRuntime current = runtime.get();
        final AclConfig config = current.config();
        final Resolution resolution =
                SessionBindingInterceptor.resolve(current.resolver(), input.getConnectionInformation(), connect);
        final Principal principal = resolution.principal();
        if (principal == null) {
            reject(
                    input.getConnectionInformation(),
                    output,
                    resolution.rejectReason(),
                    resolution.detail(),
                    resolution,
                    connect,
                    listener);
            return;
        }
        final X509Certificate certificate = input.getConnectionInformation()
                .getClientTlsInformation()
                .flatMap(ClientTlsInformation::getClientCertificate)
                .orElse(null);
        if (certificate != null) {
            final FleetAuditConfig audited = config.fleetAudit();
            final KeyQuality.Weakness weakness =
                    fleetAudit.connecting(audited, principal.name(), certificate, resolution.fingerprint());
            if (weakness != null && audited.action() == FleetAuditConfig.Action.REFUSE) {
                reject(
                        input.getConnectionInformation(),
                        output,
                        RejectReason.KEY_TOO_WEAK,
                        RejectReason.KEY_TOO_WEAK.text(),
                        weakness.toString(),
                        resolution,
                        connect,
                        listener);
                return;
            }
        }
        final String clientId = connect.getClientId();
        if (config.requireClientIdEqualsIdentity() && !clientId.equals(principal.name())) {
            fleetAudit.clientIdConflict(
                    config.fleetAudit(),
                    principal.name(),
                    resolution.fingerprint(),
                    ClientIdNamespace.sent(principal.name(), clientId));
            reject(
                    input.getConnectionInformation(),
                    output,
                    RejectReason.CLIENT_ID_MISMATCH,
                    RejectReason.CLIENT_ID_MISMATCH.text(principal.name()),
                    resolution,
                    connect,
                    listener);
            return;
        }
        if (!ClientIdNamespace.isBound(principal.name(), clientId)) {
            fleetAudit.clientIdConflict(
                    config.fleetAudit(),
                    principal.name(),
                    resolution.fingerprint(),
                    ClientIdNamespace.sent(principal.name(), clientId));
            reject(
                    input.getConnectionInformation(),
                    output,
                    RejectReason.CLIENT_ID_NOT_BOUND,
                    RejectReason.CLIENT_ID_NOT_BOUND.text(principal.name()),
                    resolution,
                    connect,
                    listener);
            return;
        }
        final Optional<WillPublishPacket> will = connect.getWillPublish();
        if (will.isPresent() && !principal.mayPublishTo(will.get().getTopic())) {
            reject(
                    input.getConnectionInformation(),
                    output,
                    RejectReason.WILL_DENIED,
                    RejectReason.WILL_DENIED.text(
                            UntrustedText.escape(will.get().getTopic()), principal.name()),
                    resolution,
                    connect,
                    listener);
            return;
        }
        // Devices only: a service's replicas share its certificate by design.
        if (certificate != null
                && !principal.isService()
                && fleetAudit.sharing(
                                config.fleetAudit(),
                                principal.name(),
                                resolution.fingerprint(),
                                clientId,
                                input.getConnectionInformation()
                                        .getInetAddress()
                                        .orElse(null))
                        == SharedCertificates.Verdict.REFUSE) {
            reject(
                    input.getConnectionInformation(),
                    output,
                    RejectReason.CERTIFICATE_SHARED,
                    RejectReason.CERTIFICATE_SHARED.text(),
                    resolution,
                    connect,
                    listener);
            return;
        }
        final ModifiableDefaultPermissions defaults = output.getDefaultPermissions();
        defaults.clear();
        defaults.addAll(current.permissions().of(principal));
        defaults.setDefaultBehaviour(DefaultAuthorizationBehaviour.DENY);
        grants.granted(clientId, principal);
        metrics.accepted();
        audit.event("connect.accepted")
                .identity(principal.name())
                .clientId(clientId)
                .connection(input.getConnectionInformation())
                .write();
        output.authenticateSuccessfully();
    }

    private void reject(
            final ConnectionInformation connection,
            final SimpleAuthOutput output,
            final RejectReason reason,
            final String detail,
            final Resolution resolution,
            final ConnectPacket connect,
            final String listener) {
        reject(connection, output, reason, detail, detail, resolution, connect, listener);
    }

    /** Who a refused CONNECT was: its identity, else the name it presented, else its certificate. */
    private static String offender(final Resolution resolution) {
        if (resolution.principal() != null) {
            return resolution.principal().name();
        }
        if (!"-".equals(resolution.presentedName())) {
            return resolution.presentedName();
        }
        return "-".equals(resolution.fingerprint()) ? "-" : "sha256:" + resolution.fingerprint();
    }

    /** Refuses with {@code detail} as reason string; the WARN says {@code logged}. */
    private void reject(
            final ConnectionInformation connection,
            final SimpleAuthOutput output,
            final RejectReason reason,
            final String detail,
            final String logged,
            final Resolution resolution,
            final ConnectPacket connect,
            final String listener) {
        metrics.rejected(reason);
        fleetAudit.offended(Offenders.Kind.CONNECT_REFUSED, offender(resolution), 1);
        log.warn(
                "acl-extension refused CONNECT ({}): {}; identity '{}', client id '{}', listener {}, certificate sha256 {}",
                reason.metricName(),
                logged,
                resolution.presentedName(),
                UntrustedText.escape(connect.getClientId()),
                listener,
                resolution.fingerprint());
        audit.event(reason == RejectReason.WILL_DENIED ? "will.refused" : "connect.refused")
                .reason(reason.metricName())
                .clientId(connect.getClientId())
                .connection(connection)
                .identityIfAbsent(
                        resolution.principal() == null
                                ? null
                                : resolution.principal().name())
                .topic(connect.getWillPublish().map(WillPublishPacket::getTopic).orElse(null))
                .write();
        output.failAuthentication(reason.reason().connackCode(), detail);
    }
}
