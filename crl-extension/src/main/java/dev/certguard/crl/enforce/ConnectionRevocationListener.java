package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.state.LiveRevocation;
import java.nio.ByteBuffer;

/**
 * One connection's part in live revocation: registers its chain when it authenticates, removes it
 * on any kind of disconnect. HiveMQ creates one listener per connection.
 * Thread-safe: HiveMQ delivers one connection's events in order.
 */
public final class ConnectionRevocationListener implements ClientLifecycleEventListener {

    private final @NotNull LiveRevocation live;
    private final @NotNull Authorities authorities;
    private volatile long generation;
    private volatile @Nullable String clientId;
    private volatile boolean authenticated;
    private volatile @Nullable LiveRevocation.Live connection;

    public ConnectionRevocationListener(final @NotNull LiveRevocation live, final @NotNull Authorities authorities) {
        this.live = live;
        this.authorities = authorities;
    }

    @Override
    public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {
        final String id = input.getClientInformation().getClientId();
        final ConnectionAttributeStore store = input.getConnectionInformation().getConnectionAttributeStore();
        final long recorded = store.get(RevocationAuthenticator.GENERATION)
                .map(buffer -> buffer.getLong(0))
                .orElse(0L);
        generation = recorded != 0 ? recorded : live.attempt(id);
        clientId = id;
        authenticated = true;
        final CertificatePath path = ConnectionChain.of(input.getConnectionInformation(), authorities);
        connection = live.authenticated(
                id, generation, path, path == null ? "-" : RevocationAuthenticator.identity(path.leaf()));
    }

    @Override
    public void onDisconnect(final @NotNull DisconnectEventInput input) {
        if (authenticated) {
            live.ended(clientId, generation, connection);
            return;
        }
        final ConnectionAttributeStore store = input.getConnectionInformation().getConnectionAttributeStore();
        store.get(RevocationAuthenticator.GENERATION)
                .map((ByteBuffer buffer) -> buffer.getLong(0))
                .ifPresent(attempt -> live.attemptEnded(
                        store.getAsString(RevocationAuthenticator.CLIENT_ID)
                                .orElse(input.getClientInformation().getClientId()),
                        attempt));
    }
}
