package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.services.exception.NoSuchClientIdException;
import dev.certguard.reason.Reason;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * "Disconnect this connection if it is still the one": the single way every certguard extension cuts
 * a connection (a lifetime, a revocation, an operator's deny). HiveMQ disconnects by client id only,
 * so a cut waits while another connection holds or is taking the client id ({@link ClientIdOwnership}),
 * unless the cut is for the certificate itself and every other one presents that same certificate;
 * it retries while HiveMQ does not find the connection yet (it registers a session after the
 * authentication events), first within milliseconds, then every {@code retry}, and gives up when
 * the connection ends by itself. After {@code maxAttempts} waits for a contended client id it cuts
 * anyway, so no policy is postponed forever. Thread-safe: one cut per connection
 * ({@link Connection#claimCut}); attempts run on the scheduler given by the extension's main class.
 */
public final class ConnectionCutter {

    private static final SafeLog log = SafeLog.of(ConnectionCutter.class);
    /** How soon a purge looks again while HiveMQ has not yet reported the cut connection gone. */
    private static final Duration PURGE_WAIT = Duration.ofMillis(50);

    private static final int PURGE_ATTEMPTS = 200;
    /** How many first retries come sooner than the steady interval (1/16, 1/8, 1/4, 1/2 of it). */
    private static final int FAST_RETRIES = 4;
    /** A cut that took this long is logged with where the time went. */
    private static final long SLOW_CUT_MILLIS = 1000;

    /** Ends a connection by client id (HiveMQ's {@code ClientService.disconnectClient} in production). */
    @FunctionalInterface
    public interface Disconnector {
        @NotNull CompletableFuture<Boolean> disconnect(
                @NotNull String clientId,
                boolean preventWill,
                @NotNull DisconnectReasonCode code,
                @NotNull String reason);
    }

    /** Runs a task after a delay (HiveMQ's managed extension executor in production). */
    @FunctionalInterface
    public interface Scheduler {
        void schedule(@NotNull Runnable task, @NotNull Duration delay);
    }

    /** Removes an MQTT session that no connection uses (HiveMQ's {@code ClientService.invalidateSession}). */
    @FunctionalInterface
    public interface SessionPurger {
        @NotNull CompletableFuture<Boolean> purge(@NotNull String clientId);
    }

    /** How a cut is made: a DISCONNECT reason defined once ({@link Reason}) and its filled string. */
    public static final class Cut {
        final @NotNull DisconnectReasonCode code;
        final @NotNull String reason;
        final boolean preventWill;
        final boolean purgeSession;
        final boolean ofCertificate;

        /** @param text the reason string, {@code reason.text(...)} */
        public Cut(final @NotNull Reason reason, final @NotNull String text, final boolean preventWill) {
            this(reason, text, preventWill, false, false);
        }

        /**
         * @param text the reason string, {@code reason.text(...)}
         * @param purgeSession also remove the client id's session once the connection is gone, unless
         *     another connection has taken the client id meanwhile (its queued messages are then its own)
         * @param ofCertificate the cut is for what the connection's certificate is (revoked, denied), so
         *     every connection presenting that certificate must go: the cut does not wait for other
         *     connections or CONNECTs with the client id that present the same certificate (a revoked
         *     device reconnecting again and again cannot postpone its own cut)
         */
        public Cut(
                final @NotNull Reason reason,
                final @NotNull String text,
                final boolean preventWill,
                final boolean purgeSession,
                final boolean ofCertificate) {
            this.code = reason.disconnectCode();
            this.reason = text;
            this.preventWill = preventWill;
            this.purgeSession = purgeSession;
            this.ofCertificate = ofCertificate;
        }
    }

    private final @NotNull ClientIdOwnership owners;
    private final @NotNull Disconnector disconnector;
    private final @NotNull Scheduler scheduler;
    private final @NotNull Duration retry;
    private final int maxAttempts;
    private final @NotNull String extension;
    private final @NotNull SessionPurger purger;
    private volatile boolean stopped;

    public ConnectionCutter(
            final @NotNull String extension,
            final @NotNull ClientIdOwnership owners,
            final @NotNull Disconnector disconnector,
            final @NotNull Scheduler scheduler,
            final @NotNull Duration retry,
            final int maxAttempts) {
        this(extension, owners, disconnector, scheduler, retry, maxAttempts, clientId -> {
            throw new UnsupportedOperationException("this cutter purges no session");
        });
    }

    public ConnectionCutter(
            final @NotNull String extension,
            final @NotNull ClientIdOwnership owners,
            final @NotNull Disconnector disconnector,
            final @NotNull Scheduler scheduler,
            final @NotNull Duration retry,
            final int maxAttempts,
            final @NotNull SessionPurger purger) {
        this.extension = extension;
        this.purger = purger;
        this.owners = owners;
        this.disconnector = disconnector;
        this.scheduler = scheduler;
        this.retry = retry;
        this.maxAttempts = maxAttempts;
    }

    /**
     * Cuts {@code connection} unless it ends first. A second cut of the same connection while the
     * first is under way returns the first one's future; after a cut that gave up, a new one starts.
     *
     * @return completes with true when HiveMQ disconnected it, false when it ended by itself, the
     *     cutter stopped, or HiveMQ never found it
     */
    public @NotNull CompletableFuture<Boolean> cut(final @NotNull Connection connection, final @NotNull Cut cut) {
        final CompletableFuture<Boolean> result = new CompletableFuture<>();
        final CompletableFuture<Boolean> earlier = connection.claimCut(result);
        if (earlier != null) {
            return earlier;
        }
        attempt(connection, cut, result, 0, System.nanoTime());
        return result;
    }

    /** No attempt runs after this (the extension is stopping; HiveMQ disconnects everyone anyway). */
    public void stop() {
        stopped = true;
    }

    private void attempt(
            final Connection connection,
            final Cut cut,
            final CompletableFuture<Boolean> result,
            final int attempt,
            final long started) {
        if (stopped || connection.ended()) {
            result.complete(false);
            return;
        }
        if (!mayCut(connection, cut)) {
            if (attempt < maxAttempts) {
                later(connection, cut, result, attempt + 1, started);
                return;
            }
            log.warn(
                    "{}: another connection with client id '{}' stayed for {} s; cutting anyway",
                    extension,
                    UntrustedText.escape(connection.clientId()),
                    patience().toMillis() / 1000.0);
        } else if (connection.ended()) {
            // Checked again after ownership: a connection marks itself ended before it gives up its
            // count, so if a later connection now owns the client id alone, this one reads ended here.
            result.complete(false);
            return;
        }
        final long asked = System.nanoTime();
        CompletableFuture<Boolean> disconnected;
        try {
            disconnected = disconnector.disconnect(connection.clientId(), cut.preventWill, cut.code, cut.reason);
        } catch (final RuntimeException e) {
            disconnected = CompletableFuture.failedFuture(e);
        }
        disconnected.whenComplete((done, e) -> {
            if (Boolean.TRUE.equals(done)) {
                final long took = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
                if (took >= SLOW_CUT_MILLIS) {
                    // Rare outside an overloaded broker; says whether the wait was ours or HiveMQ's.
                    log.info(
                            "{}: disconnecting client id '{}' took {} ms: {} retries, then {} ms until HiveMQ closed it",
                            extension,
                            UntrustedText.escape(connection.clientId()),
                            took,
                            attempt,
                            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked));
                }
                result.complete(true);
                if (cut.purgeSession) {
                    purge(connection, cut, 0);
                }
                return;
            }
            if (e != null) {
                log.warn(
                        "{}: could not disconnect client id '{}': {}",
                        extension,
                        UntrustedText.escape(connection.clientId()),
                        e.toString());
            }
            if (attempt < maxAttempts && !connection.ended()) {
                // Not found (yet): the connection may still be on its way into HiveMQ's session registry.
                later(connection, cut, result, attempt + 1, started);
            } else {
                result.complete(false);
            }
        });
    }

    /**
     * Removes the session of a cut connection once HiveMQ has reported the connection gone and no
     * other connection holds or is taking its client id; if one does, the session is its own. For a
     * cut of the certificate, connections and CONNECTs presenting that same certificate do not count:
     * they are refused or cut in turn, and must not keep the session alive by reconnecting.
     */
    private void purge(final Connection connection, final Cut cut, final int attempt) {
        if (stopped) {
            return;
        }
        final String clientId = connection.clientId();
        final boolean free =
                cut.ofCertificate ? owners.usedOnlyBy(clientId, connection.leaf()) : owners.isFree(clientId);
        if (connection.ended() && free) {
            CompletableFuture<Boolean> purged;
            try {
                purged = purger.purge(clientId);
            } catch (final RuntimeException e) {
                purged = CompletableFuture.failedFuture(e);
            }
            purged.whenComplete((done, e) -> {
                final Throwable cause = e instanceof CompletionException && e.getCause() != null ? e.getCause() : e;
                if (cause instanceof NoSuchClientIdException) {
                    // The session ended with the connection (a clean start or no session expiry).
                    log.debug(
                            "{}: no session left to remove for client id '{}'",
                            extension,
                            UntrustedText.escape(clientId));
                } else if (e != null) {
                    log.warn(
                            "{}: could not remove the session of client id '{}': {}",
                            extension,
                            UntrustedText.escape(clientId),
                            e.toString());
                } else {
                    log.info("{}: removed the session of client id '{}'", extension, UntrustedText.escape(clientId));
                }
            });
            return;
        }
        if (connection.ended() && owners.hasAuthenticated(clientId)) {
            log.warn(
                    "{}: kept the session of client id '{}': another connection took the client id",
                    extension,
                    UntrustedText.escape(clientId));
            return;
        }
        // Not gone yet, or a CONNECT with the client id is still being decided (the cut device
        // reconnecting is refused): look again shortly.
        if (attempt >= PURGE_ATTEMPTS) {
            log.warn(
                    "{}: kept the session of client id '{}': it stayed in use",
                    extension,
                    UntrustedText.escape(clientId));
            return;
        }
        try {
            scheduler.schedule(() -> purge(connection, cut, attempt + 1), PURGE_WAIT);
        } catch (final RejectedExecutionException stopping) {
            // HiveMQ is stopping.
        }
    }

    private boolean mayCut(final Connection connection, final Cut cut) {
        return owners.isSoleOwner(connection.clientId())
                || (cut.ofCertificate && owners.usedOnlyBy(connection.clientId(), connection.leaf()));
    }

    /**
     * The wait before attempt {@code attempt}: short at first (a takeover or HiveMQ's registration of
     * a new client usually settles within milliseconds), then every {@code retry}.
     */
    Duration delayBefore(final int attempt) {
        final int halvings = Math.max(0, FAST_RETRIES + 1 - attempt);
        return retry.dividedBy(1L << halvings);
    }

    /** How long a cut waits for a contended client id in all before it cuts anyway. */
    Duration patience() {
        Duration total = Duration.ZERO;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            total = total.plus(delayBefore(attempt));
        }
        return total;
    }

    private void later(
            final Connection connection,
            final Cut cut,
            final CompletableFuture<Boolean> result,
            final int attempt,
            final long started) {
        try {
            scheduler.schedule(() -> attempt(connection, cut, result, attempt, started), delayBefore(attempt));
        } catch (final RejectedExecutionException stopping) {
            result.complete(false);
        }
    }
}
