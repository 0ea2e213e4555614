package dev.certguard.disconnect.lifetime;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.connection.Connection;
import dev.certguard.disconnect.config.DisconnectConfig;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.InvalidIdentityException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongUnaryOperator;

/**
 * Computes a certificate-authenticated connection's deadline: the configured lifetime after
 * CONNECT, shortened by a random jitter of up to {@code jitter-percent} so that devices that
 * connected together do not reconnect together, and never later than the {@code notAfter} of the
 * leaf or any presented intermediate. Exempt identities have no lifetime, but expiry still applies.
 * Immutable; thread-safe (the random source must be).
 */
public final class LifetimePolicy {

    private final @NotNull DisconnectConfig config;
    private final @NotNull LongUnaryOperator randomBelow;

    /**
     * @param randomBelow returns a uniformly random value in {@code [0, bound)} for a bound > 0
     */
    public LifetimePolicy(final @NotNull DisconnectConfig config, final @NotNull LongUnaryOperator randomBelow) {
        this.config = config;
        this.randomBelow = randomBelow;
    }

    /** The range of {@link #draw()}: a connection's jitter is {@code draw / JITTER_SCALE} of the maximum. */
    static final long JITTER_SCALE = 1L << 30;

    /** A connection's random jitter draw, kept with it so that a reload recomputes the same jitter. */
    public long draw() {
        return randomBelow.applyAsLong(JITTER_SCALE);
    }

    /** The deadline with a fresh jitter draw, or {@code null} when no limit applies to this connection. */
    public @Nullable Deadline deadline(final @NotNull Instant connectedAt, final @NotNull Connection connection) {
        return deadline(connectedAt, connection, draw());
    }

    /**
     * The deadline for a connection whose jitter draw is {@code draw} (from {@link #draw()}), or
     * {@code null} when no limit applies to it.
     */
    public @Nullable Deadline deadline(
            final @NotNull Instant connectedAt, final @NotNull Connection connection, final long draw) {
        final X509Certificate[] chain = connection.chain();
        if (chain == null) {
            return null;
        }
        Deadline deadline = null;
        final Duration lifetime = config.maxConnectionLifetime();
        if (!lifetime.isZero() && !exempt(chain[0])) {
            final long lifetimeMillis = lifetime.toMillis();
            final long maxJitter = lifetimeMillis * config.jitterPercent() / 100;
            final long jitter =
                    maxJitter > 0 ? Math.min(maxJitter, (long) ((double) draw / JITTER_SCALE * (maxJitter + 1))) : 0;
            deadline = Deadline.lifetime(connectedAt.toEpochMilli() + lifetimeMillis - jitter, lifetime.getSeconds());
        }
        if (config.disconnectOnCertificateExpiry()) {
            for (int i = 0; i < chain.length; i++) {
                if (deadline == null || chain[i].getNotAfter().getTime() < deadline.atEpochMillis()) {
                    deadline = Deadline.expiry(chain[i], i == 0);
                }
            }
        }
        return deadline;
    }

    /** Whether the certificate's CN is exempt; the CN is parsed only when an exemption is configured. */
    private boolean exempt(final @NotNull X509Certificate leaf) {
        if (config.exemptIdentities().isEmpty()) {
            return false;
        }
        try {
            return config.exemptIdentities().contains(CertificateIdentity.commonName(leaf));
        } catch (final InvalidIdentityException e) {
            return false;
        }
    }
}
