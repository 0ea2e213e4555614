package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;

/**
 * Binds MQTT sessions to identities. The broker-side client id of a connection is its identity when
 * the client used exactly that, and {@code <identity>/<client id>} otherwise. Identities never contain
 * {@code /}, so the text before the first {@code /} always names the owner: no identity can reach,
 * take over or read the session of another, while a device's own clients (say mosquitto_pub and
 * mosquitto_sub with random ids) get separate sessions. Stateless; thread-safe.
 */
public final class ClientIdNamespace {

    private ClientIdNamespace() {}

    /** The broker-side client id for {@code clientId} sent by {@code identity}. */
    public static @NotNull String bind(final @NotNull String identity, final @NotNull String clientId) {
        return clientId.equals(identity) ? clientId : identity + '/' + clientId;
    }

    /** The client id {@code identity} sent, from the broker-side one {@link #bind} made (itself otherwise). */
    public static @NotNull String sent(final @NotNull String identity, final @NotNull String brokerClientId) {
        return isBound(identity, brokerClientId) && !brokerClientId.equals(identity)
                ? brokerClientId.substring(identity.length() + 1)
                : brokerClientId;
    }

    /** Whether a broker-side client id belongs to {@code identity}. */
    public static boolean isBound(final @NotNull String identity, final @NotNull String brokerClientId) {
        return brokerClientId.equals(identity)
                || (brokerClientId.length() > identity.length()
                        && brokerClientId.startsWith(identity)
                        && brokerClientId.charAt(identity.length()) == '/');
    }
}
