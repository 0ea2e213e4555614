package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.crl.path.Authorities;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches operator-listed certificates (the broker's own, the CAs): exposes seconds to expiry and
 * whether a loaded CRL revokes them, and logs a WARN when one enters the warning window or appears
 * on a CRL (once per change, not on every refresh). Thread-safe.
 */
public final class CertificateWatch {

    private static final SafeLog log = SafeLog.of(CertificateWatch.class);

    private final @NotNull Map<String, X509Certificate> certificates;
    private final @NotNull Duration warnBefore;
    private final @NotNull Clock clock;
    private final @NotNull Authorities authorities;
    private final Map<String, Boolean> expiring = new ConcurrentHashMap<>();
    private final Map<String, Boolean> revoked = new ConcurrentHashMap<>();

    public CertificateWatch(
            final @NotNull Map<String, X509Certificate> certificates,
            final @NotNull Duration warnBefore,
            final @NotNull Authorities authorities,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock) {
        this.authorities = authorities;
        this.certificates = Map.copyOf(certificates);
        this.warnBefore = warnBefore;
        this.clock = clock;
        for (final Map.Entry<String, X509Certificate> entry : this.certificates.entrySet()) {
            final Instant notAfter = entry.getValue().getNotAfter().toInstant();
            metrics.watch(
                    entry.getKey(),
                    () -> notAfter.getEpochSecond() - clock.instant().getEpochSecond(),
                    () -> Boolean.TRUE.equals(revoked.get(entry.getKey())) ? 1 : 0);
        }
    }

    public void check(final @NotNull RevocationSnapshot snapshot) {
        final Instant now = clock.instant();
        for (final Map.Entry<String, X509Certificate> entry : certificates.entrySet()) {
            final X509Certificate certificate = entry.getValue();
            final Instant notAfter = certificate.getNotAfter().toInstant();
            final boolean soon = notAfter.minus(warnBefore).isBefore(now);
            if (soon && !Boolean.TRUE.equals(expiring.put(entry.getKey(), true))) {
                log.warn(
                        "crl-extension: watched certificate {} ({}) expires at {}, within {} s",
                        entry.getKey(),
                        UntrustedText.name(certificate.getSubjectX500Principal()),
                        notAfter,
                        warnBefore.getSeconds());
            } else if (!soon) {
                expiring.put(entry.getKey(), false);
            }
            final boolean isRevoked = snapshot.check(authorities.path(certificate), now, Duration.ZERO)
                            .revoked()
                    != null;
            if (isRevoked && !Boolean.TRUE.equals(revoked.put(entry.getKey(), true))) {
                log.warn(
                        "crl-extension: watched certificate {} ({}, serial {}) is revoked by a loaded CRL",
                        entry.getKey(),
                        UntrustedText.name(certificate.getSubjectX500Principal()),
                        certificate.getSerialNumber().toString(16));
            } else if (!isRevoked) {
                revoked.put(entry.getKey(), false);
            }
        }
    }
}
