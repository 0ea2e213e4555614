package dev.certguard.disconnect.hivemq;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.services.session.ClientService;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What disconnect-extension does while its configuration is invalid: no connection may run without
 * its lifetime, so everyone is refused. Its authenticator refuses CONNECTs when it is the only one;
 * but an extension with higher priority (acl-extension) may authenticate clients first, so every
 * PUBLISH is also refused and every client that authenticates is disconnected right after its CONNACK.
 * Stateless; thread-safe.
 */
public final class RefuseEveryone implements ClientLifecycleEventListener {

    static final String REASON = "disconnect-extension configuration is invalid; the broker accepts no clients until it is fixed";

    /** Lets the CONNACK go out first, so the client reads a DISCONNECT with the reason, not a protocol error. */
    private static final long DISCONNECT_DELAY_MILLIS = 250;

    private final @NotNull ClientService clients;
    private final @NotNull ScheduledExecutorService executor;

    public RefuseEveryone(final @NotNull ClientService clients, final @NotNull ScheduledExecutorService executor) {
        this.clients = clients;
        this.executor = executor;
    }

    public @NotNull SimpleAuthenticator authenticator() {
        return (input, output) -> output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, REASON);
    }

    public @NotNull PublishInboundInterceptor publishes() {
        return (input, output) -> output.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, REASON);
    }

    @Override
    public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {
        final String clientId = input.getClientInformation().getClientId();
        executor.schedule(() -> clients.disconnectClient(clientId, true, DisconnectReasonCode.NOT_AUTHORIZED, REASON),
                DISCONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {
    }

    @Override
    public void onDisconnect(final @NotNull DisconnectEventInput input) {
    }
}
