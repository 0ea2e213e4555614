package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.reason.Reason;
import dev.certguard.text.UntrustedText;
import java.security.cert.X509Certificate;
import java.time.Instant;

/**
 * When a connection must end, and which limit decided it. Held for every tracked connection, so it
 * is kept small: the reason string is only built when the connection is actually disconnected.
 * Immutable; thread-safe.
 */
public final class Deadline {

    public static final Reason LIFETIME_REACHED = Reason.disconnect(
            DisconnectReasonCode.MAXIMUM_CONNECT_TIME,
            "lifetime",
            "maximum connection lifetime of {seconds} s reached; reconnect to re-validate the certificate",
            "max-connection-lifetime-seconds, less the connection's jitter, passed since its CONNECT.");
    public static final Reason CERTIFICATE_EXPIRES = Reason.disconnect(
            DisconnectReasonCode.MAXIMUM_CONNECT_TIME,
            "certificate-expiry",
            "client certificate expires at {instant}",
            "With disconnect-on-certificate-expiry, the client certificate's notAfter came first.");
    public static final Reason INTERMEDIATE_EXPIRES = Reason.disconnect(
            DisconnectReasonCode.MAXIMUM_CONNECT_TIME,
            "certificate-expiry",
            "intermediate CA certificate '{subject}' expires at {instant}",
            "With disconnect-on-certificate-expiry, an intermediate CA the client presented expires first.");

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

    /** The DISCONNECT this deadline sends. */
    public @NotNull Reason reasonDefinition() {
        if (limit == Limit.LIFETIME) {
            return LIFETIME_REACHED;
        }
        return expiringIsLeaf ? CERTIFICATE_EXPIRES : INTERMEDIATE_EXPIRES;
    }

    /** The MQTT 5 reason string sent with DISCONNECT 0xA0. */
    public @NotNull String reason() {
        if (limit == Limit.LIFETIME) {
            return LIFETIME_REACHED.text(lifetimeSeconds);
        }
        return expiringIsLeaf
                ? CERTIFICATE_EXPIRES.text(at())
                : INTERMEDIATE_EXPIRES.text(UntrustedText.name(expiring.getSubjectX500Principal()), at());
    }
}
