package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.identity.CertificateIdentity;
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

    private final @NotNull AclConfig config;
    /**
     * The resolutions of CONNECTs in progress, by client certificate object: HiveMQ hands every hook
     * of a connection the same certificate object, so the CONNECT interceptor's resolution is found
     * again by the authenticator and the authentication event (identity, not equality), which then
     * forgets it. A fixed table of slots found by object identity: bounded memory, no locks and no
     * cache maintenance on the CONNECT path; a CONNECT whose slot another took meanwhile resolves
     * again (the same answer). Slots are immutable, so a racy read sees a whole one. Kept in this
     * extension's own memory, so no other extension can forge it.
     */
    private final Slot[] byCertificate = new Slot[SLOTS];

    private static final int SLOTS = 1024;

    private static final class Slot {
        final @NotNull X509Certificate certificate;
        final @NotNull Resolution resolution;

        Slot(final X509Certificate certificate, final Resolution resolution) {
            this.certificate = certificate;
            this.resolution = resolution;
        }
    }

    public IdentityResolver(final @NotNull AclConfig config) {
        this.config = config;
    }

    private static int slot(final X509Certificate certificate) {
        final int hash = System.identityHashCode(certificate);
        return (hash ^ (hash >>> 16)) & (SLOTS - 1);
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
        final int index = slot(certificate);
        final Slot known = byCertificate[index];
        if (known != null && known.certificate == certificate) {
            return known.resolution;
        }
        final Resolution resolution = fromCertificate(certificate);
        byCertificate[index] = new Slot(certificate, resolution);
        return resolution;
    }

    /**
     * Drops the resolution kept for {@code certificate} once its connection's CONNECT is through: a
     * connection lives far longer than its CONNECT, and nothing after it asks again (a reload
     * resolves with a new resolver), so a fleet does not keep one resolution per connection.
     */
    public void forget(final @Nullable X509Certificate certificate) {
        if (certificate != null) {
            final int index = slot(certificate);
            final Slot known = byCertificate[index];
            if (known != null && known.certificate == certificate) {
                byCertificate[index] = null;
            }
        }
    }

    private Resolution fromCertificate(final X509Certificate certificate) {
        final String fingerprint = CertificateIdentity.sha256Fingerprint(certificate);
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
