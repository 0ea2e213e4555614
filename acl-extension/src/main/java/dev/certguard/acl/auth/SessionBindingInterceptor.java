package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.interceptor.connect.ConnectInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundInput;
import com.hivemq.extension.sdk.api.interceptor.connect.parameter.ConnectInboundOutput;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import java.util.function.Supplier;

/**
 * Rewrites every CONNECT's client id into its identity's namespace ({@link ClientIdNamespace}) before
 * the broker looks up or takes over a session. Connections whose identity is invalid are left as
 * they are: the authenticator refuses them. With {@code require-client-id-equals-identity} the
 * authenticator demands the exact identity, the one client id binding leaves as it is (any other is
 * bound, then refused). Stateless; thread-safe.
 */
public final class SessionBindingInterceptor implements ConnectInboundInterceptor {

    private final @NotNull Supplier<AclRuntime> runtime;

    public SessionBindingInterceptor(final @NotNull Supplier<AclRuntime> runtime) {
        this.runtime = runtime;
    }

    @Override
    public void onConnect(final @NotNull ConnectInboundInput input, final @NotNull ConnectInboundOutput output) {
        final ConnectPacket connect = input.getConnectPacket();
        final Resolution resolution = resolve(runtime.get().resolver(), input.getConnectionInformation(), connect);
        final Principal principal = resolution.principal();
        if (principal != null) {
            output.getConnectPacket().setClientId(ClientIdNamespace.bind(principal.name(), connect.getClientId()));
        }
    }

    static @NotNull Resolution resolve(
            final @NotNull IdentityResolver resolver,
            final @NotNull ConnectionInformation connection,
            final @NotNull ConnectPacket connect) {
        return resolver.resolve(
                connection.getListener().map(Listener::getName).orElse(null),
                connection
                        .getClientTlsInformation()
                        .flatMap(ClientTlsInformation::getClientCertificate)
                        .orElse(null),
                connect.getUserName().orElse(null));
    }
}
