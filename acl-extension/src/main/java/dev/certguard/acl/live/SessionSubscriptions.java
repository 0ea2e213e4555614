package dev.certguard.acl.live;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The subscriptions kept in MQTT sessions, connected or not (HiveMQ's {@code SubscriptionStore} in
 * production), as topic filters with any {@code $share/<group>/} prefix.
 */
public interface SessionSubscriptions {

    /** The subscriptions of one session. */
    @NotNull CompletableFuture<Set<String>> of(@NotNull String clientId);

    /** Removes subscriptions from one session. */
    @NotNull CompletableFuture<Void> remove(@NotNull String clientId, @NotNull Set<String> filters);

    /** Calls {@code session} with every session's client id and subscriptions. */
    @NotNull CompletableFuture<Void> forEach(@NotNull BiConsumer<String, Set<String>> session);
}
