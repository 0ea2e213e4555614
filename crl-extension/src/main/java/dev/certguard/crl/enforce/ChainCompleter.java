package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * Extends the chain a client presented with the configured CA certificates up to a self-signed
 * root, the way TLS built its path from the truststore. A client that sends only its leaf must not
 * skip the revocation check of an intermediate the truststore supplied. Immutable; thread-safe.
 */
public final class ChainCompleter {

    private final @NotNull Map<X500Principal, List<X509Certificate>> bySubject = new HashMap<>();

    public ChainCompleter(final @NotNull List<X509Certificate> authorities) {
        for (final X509Certificate authority : authorities) {
            bySubject
                    .computeIfAbsent(authority.getSubjectX500Principal(), subject -> new ArrayList<>())
                    .add(authority);
        }
    }

    /** The CA that issued {@code certificate}: by name, and by key when several CAs share the name. */
    private X509Certificate issuerOf(final X509Certificate certificate) {
        final List<X509Certificate> candidates = bySubject.get(certificate.getIssuerX500Principal());
        if (candidates == null) {
            return null;
        }
        if (candidates.size() == 1) {
            return candidates.get(0);
        }
        for (final X509Certificate candidate : candidates) {
            try {
                certificate.verify(candidate.getPublicKey());
                return candidate;
            } catch (final java.security.GeneralSecurityException wrongKey) {
                // Re-keyed or cross-signed CA of the same name: try the next.
            }
        }
        return null;
    }

    public @NotNull X509Certificate[] complete(final @NotNull X509Certificate[] presented) {
        X509Certificate last = presented[presented.length - 1];
        List<X509Certificate> extended = null;
        for (int depth = 0;
                depth < 10 && !last.getIssuerX500Principal().equals(last.getSubjectX500Principal());
                depth++) {
            final X509Certificate issuer = issuerOf(last);
            if (issuer == null || contains(presented, extended, issuer)) {
                break;
            }
            if (extended == null) {
                extended = new ArrayList<>(List.of(presented));
            }
            extended.add(issuer);
            last = issuer;
        }
        return extended == null ? presented : extended.toArray(new X509Certificate[0]);
    }

    private static boolean contains(
            final X509Certificate[] presented,
            final List<X509Certificate> extended,
            final X509Certificate certificate) {
        for (final X509Certificate candidate : presented) {
            if (candidate.equals(certificate)) {
                return true;
            }
        }
        return extended != null && extended.contains(certificate);
    }
}
