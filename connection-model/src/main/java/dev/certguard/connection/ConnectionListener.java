package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;

/**
 * The one per-connection listener every certguard extension registers (HiveMQ asks the provider for
 * a listener per connection, so the connection's state lives here, never in an attribute another
 * extension could write). It counts the CONNECT, with the client certificate it presented, in
 * {@link ClientIdOwnership} when the connection starts, the authentication when it succeeds, and the
 * end on any kind of disconnect (with the certificate counted at the start), and hands the
 * {@link Connection} to the extension's {@link ConnectionObserver}.
 * <p>
 * Relies on HiveMQ running one client id's extension tasks in order on one thread, so that the
 * connection-start event (which carries the client id after every CONNECT interceptor) is counted
 * before that CONNECT's authenticators run and before any session takeover; stated here because it
 * is HiveMQ behaviour, not SDK contract, and pinned by the reconnect-race end-to-end tests.
 * Thread-safe: one connection's events arrive in order; fields are volatile for the cutter's reads.
 *
 * @param <T> the observer's per-connection record
 */
public final class ConnectionListener<T> implements ClientLifecycleEventListener {

    private final @NotNull ClientIdOwnership owners;
    private final @NotNull ConnectionObserver<T> observer;
    /** The CONNECT counted at its start, until it authenticates or ends. */
    private volatile @Nullable Connection connecting;

    private volatile @Nullable Connection connection;
    private volatile @Nullable T record;

    public ConnectionListener(final @NotNull ClientIdOwnership owners, final @NotNull ConnectionObserver<T> observer) {
        this.owners = owners;
        this.observer = observer;
    }

    @Override
    public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {
        final Connection counted = connection(input.getConnectPacket().getClientId(), input.getConnectionInformation());
        connecting = counted;
        owners.connecting(counted.clientId(), counted.leaf());
    }

    @Override
    public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {
        if (connection != null) {
            // Re-authentication of a connection already counted: nothing changes hands.
            return;
        }
        final String clientId = input.getClientInformation().getClientId();
        final Connection counted = connecting;
        final Connection authenticated;
        if (counted != null && counted.clientId().equals(clientId)) {
            authenticated = counted;
        } else {
            authenticated = connection(clientId, input.getConnectionInformation());
            if (counted != null) {
                owners.ended(counted.clientId(), false, counted.leaf());
            }
            // Counted now: the extension started after this CONNECT's start, or the client id changed.
            owners.connecting(clientId, authenticated.leaf());
        }
        connecting = null;
        owners.authenticated(clientId, authenticated.leaf());
        connection = authenticated;
        record = observer.authenticated(authenticated);
    }

    @Override
    public void onServerInitiatedDisconnect(final @NotNull ServerInitiatedDisconnectInput input) {
        try {
            observer.serverDisconnected(input);
        } finally {
            onDisconnect(input);
        }
    }

    @Override
    public void onDisconnect(final @NotNull DisconnectEventInput input) {
        final Connection authenticated = connection;
        if (authenticated != null) {
            connection = null;
            authenticated.end();
            try {
                observer.ended(authenticated, record);
            } finally {
                owners.ended(authenticated.clientId(), true, authenticated.leaf());
            }
            return;
        }
        final Connection counted = connecting;
        if (counted != null) {
            connecting = null;
            owners.ended(counted.clientId(), false, counted.leaf());
        }
    }

    private static Connection connection(final String clientId, final ConnectionInformation information) {
        return new Connection(
                clientId,
                information
                        .getClientTlsInformation()
                        .flatMap(ClientTlsInformation::getClientCertificateChain)
                        .orElse(null),
                information.getListener().map(Listener::getName).orElse(null),
                information.getInetAddress().orElse(null));
    }
}
