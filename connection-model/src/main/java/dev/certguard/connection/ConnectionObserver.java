package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;

/**
 * What an extension does with each authenticated connection: it starts tracking one (a lifetime
 * deadline, a revocation record) and stops when the connection ends, whichever way.
 *
 * @param <T> the extension's per-connection record, kept by the connection's listener
 */
public interface ConnectionObserver<T> {

    /** The connection authenticated; returns its record, or {@code null} when nothing is tracked. */
    @Nullable T authenticated(@NotNull Connection connection);

    /** The connection ended; {@code record} is what {@link #authenticated} returned. */
    void ended(@NotNull Connection connection, @Nullable T record);

    /**
     * The broker ended a connection (authenticated or not) on its own, before {@link #ended} (when it
     * had authenticated). For counting why the broker refused something; must not block.
     */
    default void serverDisconnected(@NotNull ServerInitiatedDisconnectInput input) {}
}
