package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;

import java.time.Instant;

/**
 * When a connection must end, and which limit decided it. Immutable; thread-safe.
 */
public final class Deadline {

    /** The limit that ends a connection. */
    public enum Limit {
        LIFETIME("lifetime"), CERTIFICATE_EXPIRY("certificate-expiry");

        private final @NotNull String metricName;

        Limit(final @NotNull String metricName) {
            this.metricName = metricName;
        }

        public @NotNull String metricName() {
            return metricName;
        }
    }

    private final @NotNull Instant at;
    private final @NotNull Limit limit;
    private final @NotNull String reason;

    public Deadline(final @NotNull Instant at, final @NotNull Limit limit, final @NotNull String reason) {
        this.at = at;
        this.limit = limit;
        this.reason = reason;
    }

    public @NotNull Instant at() {
        return at;
    }

    public @NotNull Limit limit() {
        return limit;
    }

    /** The MQTT 5 reason string sent with DISCONNECT 0xA0. */
    public @NotNull String reason() {
        return reason;
    }
}
