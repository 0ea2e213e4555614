package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import java.security.cert.X509Certificate;
import java.util.Optional;

/**
 * The path to check for a connection: its client certificate (the leaf of what TLS verified) and
 * the configured CAs above it. The rest of the chain the client sent is ignored on purpose: a
 * client decides what it sends, the configured CAs decide the path. Stateless; thread-safe.
 */
final class ConnectionChain {

    private ConnectionChain() {}

    /** The path of the connection's client certificate, or {@code null} without one. */
    static @Nullable CertificatePath of(
            final @NotNull ConnectionInformation connection, final @NotNull Authorities authorities) {
        final Optional<ClientTlsInformation> tls = connection.getClientTlsInformation();
        if (tls.isEmpty()) {
            return null;
        }
        final X509Certificate leaf = tls.get()
                .getClientCertificate()
                .or(() -> tls.get()
                        .getClientCertificateChain()
                        .filter(chain -> chain.length > 0)
                        .map(chain -> chain[0]))
                .orElse(null);
        return leaf == null ? null : authorities.path(leaf);
    }
}
