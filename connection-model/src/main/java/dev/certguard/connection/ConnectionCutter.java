package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.text.UntrustedText;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "Disconnect this connection if it is still the one": the single way every certguard extension cuts
 * a connection (a lifetime, a revocation, an operator's deny). HiveMQ disconnects by client id only,
 * so a cut waits while another connection holds or is taking the client id ({@link ClientIdOwnership}),
 * retries while HiveMQ does not find the connection yet (it registers a session after the
 * authentication events), and gives up when the connection ends by itself. After
 * {@code maxAttempts} waits for a contended client id it cuts anyway, so no policy is postponed
 * forever. Thread-safe: one cut per connection ({@link Connection#claimCut}); attempts run on the
 * scheduler given by the extension's main class.
 */
public final class ConnectionCutter {

    private static final Logger log = LoggerFactory.getLogger(ConnectionCutter.class);

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

    /** How a cut is made. */
    public static final class Cut {
        final @NotNull DisconnectReasonCode code;
        final @NotNull String reason;
        final boolean preventWill;

        public Cut(final @NotNull DisconnectReasonCode code, final @NotNull String reason, final boolean preventWill) {
            this.code = code;
            this.reason = reason;
            this.preventWill = preventWill;
        }
    }

    private final @NotNull ClientIdOwnership owners;
    private final @NotNull Disconnector disconnector;
    private final @NotNull Scheduler scheduler;
    private final @NotNull Duration retry;
    private final int maxAttempts;
    private final @NotNull String extension;
    private volatile boolean stopped;

    public ConnectionCutter(
            final @NotNull String extension,
            final @NotNull ClientIdOwnership owners,
            final @NotNull Disconnector disconnector,
            final @NotNull Scheduler scheduler,
            final @NotNull Duration retry,
            final int maxAttempts) {
        this.extension = extension;
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
        attempt(connection, cut, result, 0);
        return result;
    }

    /** No attempt runs after this (the extension is stopping; HiveMQ disconnects everyone anyway). */
    public void stop() {
        stopped = true;
    }

    private void attempt(
            final Connection connection, final Cut cut, final CompletableFuture<Boolean> result, final int attempt) {
        if (stopped || connection.ended()) {
            result.complete(false);
            return;
        }
        if (!owners.isSoleOwner(connection.clientId())) {
            if (attempt < maxAttempts) {
                later(connection, cut, result, attempt + 1);
                return;
            }
            log.warn(
                    "{}: another connection with client id '{}' stayed for {} s; cutting anyway",
                    extension,
                    UntrustedText.escape(connection.clientId()),
                    retry.multipliedBy(maxAttempts).getSeconds());
        } else if (connection.ended()) {
            // Checked again after ownership: a connection marks itself ended before it gives up its
            // count, so if a later connection now owns the client id alone, this one reads ended here.
            result.complete(false);
            return;
        }
        CompletableFuture<Boolean> disconnected;
        try {
            disconnected = disconnector.disconnect(connection.clientId(), cut.preventWill, cut.code, cut.reason);
        } catch (final RuntimeException e) {
            disconnected = CompletableFuture.failedFuture(e);
        }
        disconnected.whenComplete((done, e) -> {
            if (Boolean.TRUE.equals(done)) {
                result.complete(true);
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
                later(connection, cut, result, attempt + 1);
            } else {
                result.complete(false);
            }
        });
    }

    private void later(
            final Connection connection, final Cut cut, final CompletableFuture<Boolean> result, final int attempt) {
        try {
            scheduler.schedule(() -> attempt(connection, cut, result, attempt), retry);
        } catch (final RejectedExecutionException stopping) {
            result.complete(false);
        }
    }
}
