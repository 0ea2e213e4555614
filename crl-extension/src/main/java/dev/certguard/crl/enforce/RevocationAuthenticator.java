package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import dev.certguard.audit.Audit;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationSnapshot;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs first at every CONNECT: refuses certificates on the operator's deny list, checks each certificate of the presented chain against its issuer's
 * CRL in the current snapshot (one hash lookup each, no I/O, no lock), refuses revoked ones and,
 * by {@code when-unavailable}, ones whose issuer has no current CRL; otherwise passes the CONNECT on
 * to the next extension (acl-extension decides identity and rights). Stateless; thread-safe.
 */
public final class RevocationAuthenticator implements SimpleAuthenticator {

    private static final Logger log = LoggerFactory.getLogger(RevocationAuthenticator.class);

    private final @NotNull RevocationState state;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Supplier<CrlRuntime> runtime;
    private final @NotNull Clock clock;
    private final @NotNull Audit audit;

    /**
     * @param runtime the configuration, CAs and deny list in force, read once per CONNECT
     */
    public RevocationAuthenticator(
            final @NotNull RevocationState state,
            final @NotNull CrlMetrics metrics,
            final @NotNull Supplier<CrlRuntime> runtime,
            final @NotNull Clock clock,
            final @NotNull Audit audit) {
        this.audit = audit;
        this.state = state;
        this.metrics = metrics;
        this.runtime = runtime;
        this.clock = clock;
    }

    @Override
    public void onConnect(final @NotNull SimpleAuthInput input, final @NotNull SimpleAuthOutput output) {
        final String clientId = input.getConnectPacket().getClientId();
        final CrlRuntime current = runtime.get();
        final CertificatePath path = ConnectionChain.of(input.getConnectionInformation(), current.authorities());
        if (path != null) {
            final X509Certificate leaf = path.leaf();
            final String listener = input.getConnectionInformation()
                    .getListener()
                    .map(Listener::getName)
                    .orElse("-");
            final String denied = current.denyList().denies(leaf);
            if (denied != null) {
                metrics.rejectedDenied();
                log.warn(
                        "crl-extension refused CONNECT: certificate denied by operator ({}); identity '{}', client id '{}', listener {}, certificate sha256 {}",
                        UntrustedText.escape(denied),
                        CertificateIdentity.commonNameForLog(leaf),
                        UntrustedText.escape(clientId),
                        listener,
                        CertificateIdentity.sha256Fingerprint(leaf));
                refused(input, "denied", leaf);
                output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, LiveRevocation.DENIED);
                return;
            }
            final RevocationSnapshot.Status status = state.snapshot()
                    .check(path, clock.instant(), current.config().gracePeriod());
            if (status.unknownIssuer() != null) {
                metrics.rejectedUnknownIssuer();
                log.warn(
                        "crl-extension refused CONNECT: certificate issuer '{}' is not one of the configured ca-certificates; identity '{}', client id '{}', listener {}, certificate sha256 {}",
                        UntrustedText.escape(status.unknownIssuer().getName()),
                        CertificateIdentity.commonNameForLog(leaf),
                        UntrustedText.escape(clientId),
                        listener,
                        CertificateIdentity.sha256Fingerprint(leaf));
                refused(input, "unknown-issuer", leaf);
                output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "certificate issuer unknown");
                return;
            }
            if (status.revoked() != null) {
                metrics.rejectedRevoked();
                final X509Certificate revoked = status.revoked();
                log.warn(
                        "crl-extension refused CONNECT: certificate revoked ('{}'); identity '{}', client id '{}', listener {}, serial {}, issuer '{}', certificate sha256 {}",
                        UntrustedText.escape(revoked.getSubjectX500Principal().getName()),
                        CertificateIdentity.commonNameForLog(leaf),
                        UntrustedText.escape(clientId),
                        listener,
                        revoked.getSerialNumber().toString(16),
                        UntrustedText.escape(revoked.getIssuerX500Principal().getName()),
                        CertificateIdentity.sha256Fingerprint(leaf));
                refused(input, "revoked", leaf);
                output.failAuthentication(ConnackReasonCode.NOT_AUTHORIZED, "certificate revoked");
                return;
            }
            if (status.unavailableIssuer() != null) {
                if (current.config().whenUnavailable() == CrlConfig.WhenUnavailable.REJECT) {
                    metrics.rejectedUnavailable();
                    log.warn(
                            "crl-extension refused CONNECT: no current CRL for issuer '{}', revocation status unknown; identity '{}', client id '{}', listener {}, certificate sha256 {}",
                            UntrustedText.escape(status.unavailableIssuer().getName()),
                            CertificateIdentity.commonNameForLog(leaf),
                            UntrustedText.escape(clientId),
                            listener,
                            CertificateIdentity.sha256Fingerprint(leaf));
                    refused(input, "unavailable", leaf);
                    output.failAuthentication(
                            ConnackReasonCode.SERVER_UNAVAILABLE, "certificate revocation status unavailable");
                    return;
                }
                metrics.allowedUnavailable();
                audit.event("connect.unchecked")
                        .reason("revocation status unavailable; when-unavailable=allow")
                        .clientId(clientId)
                        .connection(input.getConnectionInformation())
                        .write();
                log.warn(
                        "crl-extension: no current CRL for issuer '{}'; allowing identity '{}', client id '{}', certificate sha256 {} unchecked (when-unavailable=allow)",
                        UntrustedText.escape(status.unavailableIssuer().getName()),
                        CertificateIdentity.commonNameForLog(leaf),
                        UntrustedText.escape(clientId),
                        CertificateIdentity.sha256Fingerprint(leaf));
            }
        }
        output.nextExtensionOrDefault();
    }

    private void refused(final SimpleAuthInput input, final String reason, final X509Certificate leaf) {
        audit.event("connect.refused")
                .reason(reason)
                .clientId(input.getConnectPacket().getClientId())
                .connection(input.getConnectionInformation())
                .certificate(leaf)
                .write();
    }
}
