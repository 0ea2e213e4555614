package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;

/**
 * Counts publishes the broker refused. HiveMQ ends every connection that sends an unauthorized
 * PUBLISH (MQTT 5: after PUBACK/PUBREC 0x87; MQTT 3: at once) with a server-initiated disconnect,
 * reason NOT_AUTHORIZED, so counting those disconnects counts the refusals with no work per message.
 * Stateless (one shared instance); thread-safe.
 */
public final class DeniedPublishCounter implements ClientLifecycleEventListener {

    private static final String PUBLISH_REFUSAL = "Not authorized to publish";

    private final @NotNull AclMetrics metrics;

    public DeniedPublishCounter(final @NotNull AclMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onServerInitiatedDisconnect(final @NotNull ServerInitiatedDisconnectInput input) {
        if (input.getReasonCode().orElse(null) == DisconnectedReasonCode.NOT_AUTHORIZED
                && input.getReasonString()
                        .map(reason -> reason.startsWith(PUBLISH_REFUSAL))
                        .orElse(false)) {
            metrics.publishDenied();
        }
    }

    @Override
    public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {}

    @Override
    public void onDisconnect(final @NotNull DisconnectEventInput input) {}
}
