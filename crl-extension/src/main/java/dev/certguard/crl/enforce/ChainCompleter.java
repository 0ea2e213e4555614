package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;

import javax.security.auth.x500.X500Principal;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Extends the chain a client presented with the configured CA certificates up to a self-signed
 * root, the way TLS built its path from the truststore. A client that sends only its leaf must not
 * skip the revocation check of an intermediate the truststore supplied. Immutable; thread-safe.
 */
public final class ChainCompleter {

    private final @NotNull Map<X500Principal, X509Certificate> bySubject = new HashMap<>();

    public ChainCompleter(final @NotNull List<X509Certificate> authorities) {
        for (final X509Certificate authority : authorities) {
            bySubject.putIfAbsent(authority.getSubjectX500Principal(), authority);
        }
    }

    public @NotNull X509Certificate[] complete(final @NotNull X509Certificate[] presented) {
        X509Certificate last = presented[presented.length - 1];
        List<X509Certificate> extended = null;
        for (int depth = 0; depth < 10 && !last.getIssuerX500Principal().equals(last.getSubjectX500Principal()); depth++) {
            final X509Certificate issuer = bySubject.get(last.getIssuerX500Principal());
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

    private static boolean contains(final X509Certificate[] presented, final List<X509Certificate> extended, final X509Certificate certificate) {
        for (final X509Certificate candidate : presented) {
            if (candidate.equals(certificate)) {
                return true;
            }
        }
        return extended != null && extended.contains(certificate);
    }
}
