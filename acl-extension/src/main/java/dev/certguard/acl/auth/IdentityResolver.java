package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.CertificateTable;
import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;

/**
 * Turns what a connection presents (listener, client certificate, username) into a {@link Principal}
 * or a rejection. Certificate listeners take the identity from the subject CN only; listeners named
 * in {@code username-identity-listeners} take the username. Services are recognised by exact name
 * (and fingerprint, when pinned), never by substring. Immutable; thread-safe.
 */
public final class IdentityResolver {

    private static final String NONE = "-";
    /** Certificates whose resolution is kept for their next CONNECT (at most about 2.5 MB with permissions). */
    static final int RECENT = 4096;

    private final @NotNull AclConfig config;
    /**
     * The resolutions of CONNECTs in progress, by client certificate object: the CONNECT
     * interceptor's resolution is found again by the authenticator and the authentication event,
     * which then forgets it; one whose slot another CONNECT took is resolved again (the same answer).
     * No locks and no cache maintenance on the CONNECT path. Kept in this extension's own memory, so
     * no other extension can forge it.
     */
    private final @NotNull CertificateTable<Resolution> byCertificate = new CertificateTable<>(1024);
    /** The resolutions of the last few thousand distinct certificates, for devices that reconnect. */
    private final @NotNull RecentResolutions recent = new RecentResolutions(RECENT);

    public IdentityResolver(final @NotNull AclConfig config) {
        this.config = config;
    }

    public @NotNull Resolution resolve(
            final @Nullable String listenerName,
            final @Nullable X509Certificate certificate,
            final @Nullable String username) {
        if (listenerName != null && config.usernameIdentityListeners().contains(listenerName)) {
            return fromUsername(
                    username, certificate == null ? NONE : CertificateIdentity.sha256Fingerprint(certificate));
        }
        if (certificate == null) {
            return Resolution.rejected(RejectReason.NO_CERTIFICATE, RejectReason.NO_CERTIFICATE.text(), NONE, NONE);
        }
        final Resolution known = byCertificate.get(certificate);
        if (known != null) {
            return known;
        }
        final String fingerprint = CertificateIdentity.sha256Fingerprint(certificate);
        Resolution resolution = recent.get(fingerprint);
        if (resolution == null) {
            resolution = fromCertificate(certificate, fingerprint);
            recent.put(resolution);
        }
        byCertificate.put(certificate, resolution);
        return resolution;
    }

    /**
     * Drops the resolution kept for {@code certificate} once its connection's CONNECT is through: a
     * connection lives far longer than its CONNECT, and nothing after it asks again (a reload
     * resolves with a new resolver), so a fleet does not keep one resolution per connection.
     */
    public void forget(final @Nullable X509Certificate certificate) {
        if (certificate != null) {
            byCertificate.remove(certificate);
        }
    }

    private Resolution fromCertificate(final X509Certificate certificate, final String fingerprint) {
        if (!CertificateIdentity.isEndEntity(certificate)) {
            return Resolution.rejected(
                    RejectReason.NOT_END_ENTITY, RejectReason.NOT_END_ENTITY.text(), NONE, fingerprint);
        }
        final String commonName;
        try {
            commonName = CertificateIdentity.commonName(certificate);
        } catch (final InvalidIdentityException e) {
            return Resolution.rejected(
                    RejectReason.INVALID_IDENTITY, RejectReason.INVALID_IDENTITY.text(e.reason()), NONE, fingerprint);
        }
        final ServiceRule service = config.service(commonName);
        if (service != null) {
            if (service.certificateSha256() != null
                    && !service.certificateSha256().equals(fingerprint)) {
                return Resolution.rejected(
                        RejectReason.CERTIFICATE_PIN_MISMATCH,
                        RejectReason.CERTIFICATE_PIN_MISMATCH.text(service.identity()),
                        commonName,
                        fingerprint);
            }
            return Resolution.accepted(Principal.service(service), fingerprint);
        }
        return device(commonName, fingerprint);
    }

    private Resolution fromUsername(final @Nullable String username, final @NotNull String fingerprint) {
        if (username == null || username.isEmpty()) {
            return Resolution.rejected(RejectReason.NO_USERNAME, RejectReason.NO_USERNAME.text(), NONE, fingerprint);
        }
        final ServiceRule service = config.service(username);
        if (service != null) {
            if (!service.allowUsernameIdentity()) {
                return Resolution.rejected(
                        RejectReason.SERVICE_NOT_ALLOWED_BY_USERNAME,
                        RejectReason.SERVICE_NOT_ALLOWED_BY_USERNAME.text(service.identity()),
                        username,
                        fingerprint);
            }
            return Resolution.accepted(Principal.service(service), fingerprint);
        }
        return device(username, fingerprint);
    }

    private static Resolution device(final String presented, final String fingerprint) {
        try {
            return Resolution.accepted(Principal.device(DeviceIdentity.parse(presented)), fingerprint);
        } catch (final InvalidIdentityException e) {
            return Resolution.rejected(
                    RejectReason.INVALID_IDENTITY,
                    RejectReason.INVALID_IDENTITY.text(e.reason()),
                    UntrustedText.escape(presented),
                    fingerprint);
        }
    }
}
