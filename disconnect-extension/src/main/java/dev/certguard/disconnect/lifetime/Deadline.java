package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * When a connection must end, and which limit decided it. Held for every tracked connection, so it
 * is kept small: the reason string is only built when the connection is actually disconnected.
 * Immutable; thread-safe.
 */
public final class Deadline {

    /** The limit that ends a connection. */
    public enum Limit {
        LIFETIME("lifetime", "the maximum connection lifetime (with its jitter) passed"),
        CERTIFICATE_EXPIRY("certificate-expiry", "the client certificate or an intermediate CA it presented expired");

        private final @NotNull String metricName;
        private final @NotNull String meaning;

        Limit(final @NotNull String metricName, final @NotNull String meaning) {
            this.metricName = metricName;
            this.meaning = meaning;
        }

        public @NotNull String metricName() {
            return metricName;
        }

        /** What the limit means, for the documentation. */
        public @NotNull String meaning() {
            return meaning;
        }
    }

    private final long atEpochMillis;
    private final @NotNull Limit limit;
    private final long lifetimeSeconds;
    private final @Nullable X509Certificate expiring;
    private final boolean expiringIsLeaf;

    private Deadline(
            final long atEpochMillis,
            final @NotNull Limit limit,
            final long lifetimeSeconds,
            final @Nullable X509Certificate expiring,
            final boolean expiringIsLeaf) {
        this.atEpochMillis = atEpochMillis;
        this.limit = limit;
        this.lifetimeSeconds = lifetimeSeconds;
        this.expiring = expiring;
        this.expiringIsLeaf = expiringIsLeaf;
    }

    static @NotNull Deadline lifetime(final long atEpochMillis, final long lifetimeSeconds) {
        return new Deadline(atEpochMillis, Limit.LIFETIME, lifetimeSeconds, null, false);
    }

    static @NotNull Deadline expiry(final @NotNull X509Certificate certificate, final boolean leaf) {
        return new Deadline(certificate.getNotAfter().getTime(), Limit.CERTIFICATE_EXPIRY, 0, certificate, leaf);
    }

    public @NotNull Instant at() {
        return Instant.ofEpochMilli(atEpochMillis);
    }

    long atEpochMillis() {
        return atEpochMillis;
    }

    public @NotNull Limit limit() {
        return limit;
    }

    /** The MQTT 5 reason string sent with DISCONNECT 0xA0. */
    public @NotNull String reason() {
        if (limit == Limit.LIFETIME) {
            return "maximum connection lifetime of " + lifetimeSeconds
                    + " s reached; reconnect to re-validate the certificate";
        }
        return (expiringIsLeaf
                        ? "client certificate"
                        : "intermediate CA certificate '" + UntrustedText.name(expiring.getSubjectX500Principal())
                                + "'")
                + " expires at " + at();
    }
}
