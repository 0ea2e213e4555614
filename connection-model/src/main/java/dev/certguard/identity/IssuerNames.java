package dev.certguard.identity;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import javax.security.auth.x500.X500Principal;

/**
 * Issuer names as {@link X500Principal#getName()} writes them (RFC 2253), kept by the name's DER: a
 * fleet has few issuers and every audited CONNECT names one, and rendering a name costs more than the
 * rest of its audit line. Holds at most {@code capacity} names; past that, names are rendered each
 * time. Thread-safe.
 */
final class IssuerNames {

    private final ConcurrentMap<ByteBuffer, String> names = new ConcurrentHashMap<>();
    private final int capacity;

    IssuerNames(final int capacity) {
        this.capacity = capacity;
    }

    @NotNull String name(final @NotNull X500Principal issuer) {
        final ByteBuffer der = ByteBuffer.wrap(issuer.getEncoded());
        final String known = names.get(der);
        if (known != null) {
            return known;
        }
        final String rendered = issuer.getName();
        if (names.size() < capacity) {
            names.putIfAbsent(der, rendered);
        }
        return rendered;
    }
}
