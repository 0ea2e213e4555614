package dev.certguard.connection;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import java.security.cert.X509Certificate;

/**
 * The one per-connection listener every certguard extension registers (HiveMQ asks the provider for
 * a listener per connection, so the connection's state lives here, never in an attribute another
 * extension could write). It counts the CONNECT in {@link ClientIdOwnership} when the connection
 * starts, the authentication when it succeeds, and the end on any kind of disconnect, and hands the
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
    private volatile @Nullable String connectingId;
    private volatile @Nullable Connection connection;
    private volatile @Nullable T record;

    public ConnectionListener(final @NotNull ClientIdOwnership owners, final @NotNull ConnectionObserver<T> observer) {
        this.owners = owners;
        this.observer = observer;
    }

    @Override
    public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {
        final String clientId = input.getConnectPacket().getClientId();
        connectingId = clientId;
        owners.connecting(
                clientId,
                input.getConnectionInformation()
                        .getClientTlsInformation()
                        .flatMap(ClientTlsInformation::getClientCertificate)
                        .orElse(null));
    }

    @Override
    public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {
        if (connection != null) {
            // Re-authentication of a connection already counted: nothing changes hands.
            return;
        }
        final String clientId = input.getClientInformation().getClientId();
        final X509Certificate[] chain = input.getConnectionInformation()
                .getClientTlsInformation()
                .flatMap(ClientTlsInformation::getClientCertificateChain)
                .orElse(null);
        final X509Certificate leaf = chain == null || chain.length == 0 ? null : chain[0];
        final String counted = connectingId;
        if (counted == null) {
            // The extension started while this CONNECT was already past its start event.
            owners.connecting(clientId, leaf);
        } else if (!counted.equals(clientId)) {
            owners.ended(counted, false);
            owners.connecting(clientId, leaf);
        }
        connectingId = null;
        owners.authenticated(clientId, leaf);
        final Connection authenticated = new Connection(
                clientId,
                chain,
                input.getConnectionInformation()
                        .getListener()
                        .map(Listener::getName)
                        .orElse(null));
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
                owners.ended(authenticated.clientId(), true);
            }
            return;
        }
        final String counted = connectingId;
        if (counted != null) {
            connectingId = null;
            owners.ended(counted, false);
        }
    }
}
