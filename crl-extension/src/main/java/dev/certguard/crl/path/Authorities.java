package dev.certguard.crl.path;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.security.auth.x500.X500Principal;

/**
 * The configured CA certificates and how they chain: which configured CA issued a certificate is
 * decided by name <em>and</em> signature, never by what a client sent, so a client that appends a
 * root (or any self-signed certificate) to its chain cannot cut the path short and skip the check of
 * an intermediate. CA-to-CA links are verified once at construction; a client certificate's link
 * costs one signature verification the first time it is seen and a cache lookup after that.
 * Immutable after construction; thread-safe.
 */
public final class Authorities {

    private static final int MAX_DEPTH = 16;
    private static final Authority UNKNOWN = new Authority();

    private final @NotNull Map<X500Principal, List<Authority>> bySubject = new HashMap<>();
    private final @NotNull List<Authority> all = new ArrayList<>();
    /** SHA-256 of a client certificate to the configured CA whose key verified it ({@link #UNKNOWN}: none). */
    private final @NotNull Cache<ByteBuffer, Authority> issuers;

    /**
     * @param certificates the configured CA certificates
     * @param cachedPaths how many client certificates' paths to remember
     */
    public Authorities(final @NotNull List<X509Certificate> certificates, final long cachedPaths) {
        for (final X509Certificate certificate : certificates) {
            final Authority authority = new Authority(certificate);
            if (find(certificate) == null) {
                all.add(authority);
                bySubject
                        .computeIfAbsent(certificate.getSubjectX500Principal(), subject -> new ArrayList<>())
                        .add(authority);
            }
        }
        for (final Authority authority : all) {
            final X509Certificate certificate = authority.certificate();
            final boolean selfIssued =
                    certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal());
            final Authority issuer = selfIssued && signedBy(certificate, authority) ? null : issuerOf(certificate);
            authority.link(issuer == authority ? null : issuer);
        }
        for (final Authority authority : all) {
            // A loop of cross-signed CAs (A issued B, B issued A) has no anchor: cut it where it closes.
            Authority walker = authority;
            for (int depth = 0; walker != null && depth < MAX_DEPTH; depth++) {
                walker = walker.issuer();
            }
            if (walker != null) {
                authority.link(null);
            }
        }
        issuers = Caffeine.newBuilder().maximumSize(cachedPaths).build();
    }

    /** Every configured CA, in configuration order (duplicates removed). */
    public @NotNull List<Authority> all() {
        return List.copyOf(all);
    }

    /**
     * The path of a client certificate (or any certificate to check) through the configured CAs. A
     * certificate that is itself a configured CA gets that CA's path.
     */
    public @NotNull CertificatePath path(final @NotNull X509Certificate certificate) {
        final Authority configured = find(certificate);
        if (configured != null) {
            final Authority issuer = configured.issuer();
            return issuer == null ? CertificatePath.anchor(certificate) : CertificatePath.of(certificate, issuer);
        }
        final ByteBuffer fingerprint = ByteBuffer.wrap(sha256(certificate));
        Authority issuer = issuers.getIfPresent(fingerprint);
        if (issuer == null) {
            final Authority found = issuerOf(certificate);
            issuer = found == null ? UNKNOWN : found;
            issuers.put(fingerprint, issuer);
        }
        return issuer == UNKNOWN ? CertificatePath.unknown(certificate) : CertificatePath.of(certificate, issuer);
    }

    private static byte[] sha256(final X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (final NoSuchAlgorithmException | CertificateEncodingException e) {
            throw new IllegalStateException("cannot fingerprint certificate", e);
        }
    }

    private @Nullable Authority find(final X509Certificate certificate) {
        final List<Authority> candidates = bySubject.get(certificate.getSubjectX500Principal());
        if (candidates != null) {
            for (final Authority candidate : candidates) {
                if (candidate.certificate().equals(certificate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    private @Nullable Authority issuerOf(final X509Certificate certificate) {
        final List<Authority> candidates = bySubject.get(certificate.getIssuerX500Principal());
        if (candidates == null) {
            return null;
        }
        for (final Authority candidate : candidates) {
            if (signedBy(certificate, candidate)) {
                return candidate;
            }
        }
        return null;
    }

    private static boolean signedBy(final X509Certificate certificate, final Authority candidate) {
        final X509Certificate ca = candidate.certificate();
        if (ca.getBasicConstraints() < 0) {
            return false;
        }
        final boolean[] keyUsage = ca.getKeyUsage();
        if (keyUsage != null && (keyUsage.length < 6 || !keyUsage[5])) {
            return false;
        }
        try {
            certificate.verify(ca.getPublicKey());
            return true;
        } catch (final GeneralSecurityException | RuntimeException wrongKey) {
            return false;
        }
    }
}
