package dev.certguard.disconnect.hivemq;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.interceptor.connect.ConnectInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundInput;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundOutput;
import dev.certguard.disconnect.lifetime.LifetimeTracker;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Gives every CONNECT its generation before HiveMQ can take an existing session over, and keeps it
 * in the connection's attribute store for {@link ConnectionLifetimeListener}. Stateless; thread-safe.
 */
public final class AttemptInterceptor implements ConnectInboundInterceptor {

    static final String GENERATION = "dev.certguard.disconnect.generation";
    static final String CLIENT_ID = "dev.certguard.disconnect.client-id";

    private final @NotNull LifetimeTracker tracker;

    public AttemptInterceptor(final @NotNull LifetimeTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void onConnect(final @NotNull ConnectInboundInput input, final @NotNull ConnectInboundOutput output) {
        final String clientId = input.getConnectPacket().getClientId();
        final long generation = tracker.attempt(clientId);
        final ConnectionAttributeStore store = input.getConnectionInformation().getConnectionAttributeStore();
        store.put(GENERATION, ByteBuffer.allocate(Long.BYTES).putLong(0, generation));
        store.putAsString(CLIENT_ID, clientId);
    }

    /** The generation and client id recorded for a connection, if its CONNECT passed this interceptor. */
    static Optional<Long> generation(final @NotNull ConnectionAttributeStore store) {
        return store.get(GENERATION).map(buffer -> buffer.getLong(0));
    }

    static Optional<String> clientId(final @NotNull ConnectionAttributeStore store) {
        return store.getAsString(CLIENT_ID);
    }
}
