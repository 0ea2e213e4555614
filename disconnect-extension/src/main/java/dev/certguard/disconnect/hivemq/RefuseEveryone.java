package dev.certguard.disconnect.hivemq;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.PublishAuthorizer;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.SubscriptionAuthorizer;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.PublishAuthorizerOutput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerInput;
import com.hivemq.extension.sdk.api.auth.parameter.SubscriptionAuthorizerOutput;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.services.session.ClientService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * What disconnect-extension does while its configuration is invalid: no connection may run without
 * its lifetime, so everyone is refused. Its authenticator refuses CONNECTs when it is the only one;
 * but an extension with higher priority (acl-extension) may authenticate clients first, so an
 * authorizer also refuses every PUBLISH (HiveMQ checks will messages with it at CONNECT, so no will
 * gets out either) and every SUBSCRIBE, and every client that authenticates is disconnected right
 * after its CONNACK, retried until HiveMQ has registered it. Stateless; thread-safe.
 */
public final class RefuseEveryone implements PublishAuthorizer, SubscriptionAuthorizer {

    static final String REASON =
            "disconnect-extension configuration is invalid; the broker accepts no clients until it is fixed";
    /** Lets the CONNACK go out first, so the client reads a DISCONNECT with the reason, not a protocol error. */
    private static final long RETRY_MILLIS = 250;

    private static final int MAX_ATTEMPTS = 240;

    private final @NotNull ClientService clients;
    private final @NotNull ScheduledExecutorService executor;

    public RefuseEveryone(final @NotNull ClientService clients, final @NotNull ScheduledExecutorService executor) {
        this.clients = clients;
        this.executor = executor;
    }

    public @NotNull SimpleAuthenticator authenticator() {
        return (input, output) -> output.failAuthentication(ConnackReasonCode.SERVER_UNAVAILABLE, REASON);
    }

    @Override
    public void authorizePublish(
            final @NotNull PublishAuthorizerInput input, final @NotNull PublishAuthorizerOutput output) {
        output.failAuthorization(AckReasonCode.NOT_AUTHORIZED, REASON);
    }

    @Override
    public void authorizeSubscribe(
            final @NotNull SubscriptionAuthorizerInput input, final @NotNull SubscriptionAuthorizerOutput output) {
        output.failAuthorization(SubackReasonCode.NOT_AUTHORIZED, REASON);
    }

    /** A listener for one connection: disconnects it once it authenticated, until that succeeded or it ended. */
    public @NotNull ClientLifecycleEventListener connection() {
        return new ClientLifecycleEventListener() {
            private volatile boolean ended;

            @Override
            public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {
                disconnect(input.getClientInformation().getClientId(), 1);
            }

            private void disconnect(final String clientId, final int attempt) {
                executor.schedule(
                        () -> {
                            if (ended) {
                                return;
                            }
                            clients.disconnectClient(clientId, true, DisconnectReasonCode.NOT_AUTHORIZED, REASON)
                                    .whenComplete((done, e) -> {
                                        if (!Boolean.TRUE.equals(done) && !ended && attempt < MAX_ATTEMPTS) {
                                            disconnect(clientId, attempt + 1);
                                        }
                                    });
                        },
                        RETRY_MILLIS,
                        TimeUnit.MILLISECONDS);
            }

            @Override
            public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {}

            @Override
            public void onDisconnect(final @NotNull DisconnectEventInput input) {
                ended = true;
            }
        };
    }
}
