package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import java.security.cert.X509Certificate;
import java.util.Optional;

/** The client certificate chain a connection presented, leaf first. Stateless; thread-safe. */
final class ConnectionChain {

    private ConnectionChain() {}

    /** The presented chain completed with the configured CAs, or {@code null} without a client certificate. */
    static X509Certificate @Nullable [] of(
            final @NotNull ConnectionInformation connection, final @NotNull ChainCompleter completer) {
        final X509Certificate[] presented = of(connection);
        return presented == null ? null : completer.complete(presented);
    }

    static X509Certificate @Nullable [] of(final @NotNull ConnectionInformation connection) {
        final Optional<ClientTlsInformation> tls = connection.getClientTlsInformation();
        if (tls.isEmpty()) {
            return null;
        }
        final Optional<X509Certificate[]> chain = tls.get().getClientCertificateChain();
        if (chain.isPresent() && chain.get().length > 0) {
            return chain.get();
        }
        return tls.get()
                .getClientCertificate()
                .map(leaf -> new X509Certificate[] {leaf})
                .orElse(null);
    }
}
