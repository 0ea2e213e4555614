package dev.certguard.disconnect.hivemq;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionAttributeStore;
import com.hivemq.extension.sdk.api.events.client.ClientLifecycleEventListener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import dev.certguard.disconnect.lifetime.LifetimeTracker;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.InvalidIdentityException;
import java.security.cert.X509Certificate;

/**
 * The lifetime of one connection. HiveMQ asks the provider for a listener per connection, so the
 * connection's state lives here and never in a map keyed by client id. Every kind of disconnect
 * (client, server, lost, refused authentication) ends up in {@link #onDisconnect}.
 * Thread-safe: HiveMQ delivers one connection's events in order; the timer is in {@link LifetimeTracker.Tracked}.
 */
public final class ConnectionLifetimeListener implements ClientLifecycleEventListener {

    private final @NotNull LifetimeTracker tracker;
    private volatile @Nullable LifetimeTracker.Tracked tracked;

    public ConnectionLifetimeListener(final @NotNull LifetimeTracker tracker) {
        this.tracker = tracker;
    }

    @Override
    public void onMqttConnectionStart(final @NotNull ConnectionStartInput input) {}

    @Override
    public void onAuthenticationSuccessful(final @NotNull AuthenticationSuccessfulInput input) {
        final String clientId = input.getClientInformation().getClientId();
        final ConnectionAttributeStore store = input.getConnectionInformation().getConnectionAttributeStore();
        final long generation = AttemptInterceptor.generation(store).orElseGet(() -> tracker.attempt(clientId));
        final X509Certificate[] chain = input.getConnectionInformation()
                .getClientTlsInformation()
                .flatMap(ClientTlsInformation::getClientCertificateChain)
                .orElse(null);
        tracked = tracker.authenticated(clientId, generation, identity(chain), chain);
    }

    @Override
    public void onDisconnect(final @NotNull DisconnectEventInput input) {
        final LifetimeTracker.Tracked connection = tracked;
        if (connection != null) {
            connection.ended();
            return;
        }
        final ConnectionAttributeStore store = input.getConnectionInformation().getConnectionAttributeStore();
        AttemptInterceptor.generation(store)
                .ifPresent(generation -> tracker.attemptEnded(
                        AttemptInterceptor.clientId(store)
                                .orElse(input.getClientInformation().getClientId()),
                        generation));
    }

    private static String identity(final @Nullable X509Certificate[] chain) {
        if (chain == null || chain.length == 0) {
            return "";
        }
        try {
            return CertificateIdentity.commonName(chain[0]);
        } catch (final InvalidIdentityException e) {
            return "";
        }
    }
}
