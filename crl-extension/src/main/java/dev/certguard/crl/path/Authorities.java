package dev.certguard.crl.path;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.identity.CertificateIdentity;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
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

    private static final Authority UNKNOWN = new Authority();

    /**
     * What is remembered of a client certificate: the configured CA that issued it and, once a check
     * needed them, its CRL distribution points. Thread-safe: the points are computed at most a few
     * times and published through a volatile field.
     */
    static final class Issued {
        final @NotNull Authority issuer;
        private volatile @Nullable CertificatePoints points;

        Issued(final @NotNull Authority issuer) {
            this.issuer = issuer;
        }

        @NotNull CertificatePoints points(final @NotNull X509Certificate certificate) {
            CertificatePoints known = points;
            if (known == null) {
                known = CertificatePoints.of(certificate);
                points = known;
            }
            return known;
        }
    }

    private final @NotNull Map<X500Principal, List<Authority>> bySubject = new HashMap<>();
    /** Each configured CA by its certificate's SHA-256. */
    private final @NotNull Map<Sha256, Authority> byFingerprint = new HashMap<>();

    private final @NotNull List<Authority> all = new ArrayList<>();
    /** SHA-256 of a client certificate to the configured CA whose key verified it ({@link #UNKNOWN}: none). */
    private final @NotNull Cache<Sha256, Issued> issuers;

    /** A SHA-256 as four longs: 48 bytes a key, where a wrapped array costs 104. */
    private static final class Sha256 {
        private final long a;
        private final long b;
        private final long c;
        private final long d;

        Sha256(final byte[] digest) {
            final ByteBuffer buffer = ByteBuffer.wrap(digest);
            a = buffer.getLong();
            b = buffer.getLong();
            c = buffer.getLong();
            d = buffer.getLong();
        }

        @Override
        public boolean equals(final Object other) {
            if (!(other instanceof Sha256)) {
                return false;
            }
            final Sha256 that = (Sha256) other;
            return a == that.a && b == that.b && c == that.c && d == that.d;
        }

        @Override
        public int hashCode() {
            return (int) (a ^ (a >>> 32));
        }
    }

    /**
     * @param certificates the configured CA certificates
     * @param cachedPaths how many client certificates' paths to remember
     */
    public Authorities(final @NotNull List<X509Certificate> certificates, final long cachedPaths) {
        for (final X509Certificate certificate : certificates) {
            final Authority authority = new Authority(certificate);
            if (byFingerprint.putIfAbsent(new Sha256(CertificateIdentity.sha256(certificate)), authority) == null) {
                all.add(authority);
                bySubject
                        .computeIfAbsent(certificate.getSubjectX500Principal(), subject -> new ArrayList<>())
                        .add(authority);
            }
        }
        for (final Authority authority : all) {
            final X509Certificate certificate = authority.certificate();
            authority.link(selfSigned(authority) ? null : issuerOf(certificate));
        }
        for (final Authority authority : all) {
            // A loop of cross-signed CAs (A issued B, B issued A) has no anchor: cut the link that
            // closes it, so every CA before the loop keeps its issuer and is still checked.
            final Set<Authority> seen = Collections.newSetFromMap(new IdentityHashMap<>());
            for (Authority walker = authority; walker != null; walker = walker.issuer()) {
                seen.add(walker);
                final Authority next = walker.issuer();
                if (next != null && seen.contains(next)) {
                    walker.link(null);
                    break;
                }
            }
        }
        for (final Authority authority : all) {
            authority.crlKeys(crlKeysOf(authority));
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
        // Computed once per certificate object and shared with every other check of the CONNECT.
        final Sha256 fingerprint = new Sha256(CertificateIdentity.sha256(certificate));
        final Authority configured = byFingerprint.get(fingerprint);
        if (configured != null) {
            final Authority issuer = configured.issuer();
            return issuer == null ? CertificatePath.anchor(certificate) : CertificatePath.of(certificate, issuer);
        }
        Issued issued = issuers.getIfPresent(fingerprint);
        if (issued == null) {
            final Authority found = issuerOf(certificate);
            issued = new Issued(found == null ? UNKNOWN : found);
            issuers.put(fingerprint, issued);
        }
        return issued.issuer == UNKNOWN
                ? CertificatePath.unknown(certificate)
                : CertificatePath.of(certificate, issued.issuer, issued);
    }

    /**
     * The configured CA whose key verifies {@code certificate}. Where several do (a root and a
     * cross-certificate of it share name and key), a self-signed root wins: the shortest path,
     * which depends on no other CA's CRL.
     */
    private @Nullable Authority issuerOf(final X509Certificate certificate) {
        final List<Authority> candidates = bySubject.get(certificate.getIssuerX500Principal());
        if (candidates == null) {
            return null;
        }
        Authority found = null;
        for (final Authority candidate : candidates) {
            if (candidate.certificate().equals(certificate) || !signedBy(certificate, candidate)) {
                continue;
            }
            if (selfSigned(candidate)) {
                return candidate;
            }
            if (found == null) {
                found = candidate;
            }
        }
        return found;
    }

    /**
     * The keys under which an authority's CRLs may be kept: its own, and those of configured
     * certificates of the same name that sign CRLs but issue no certificates (a separate CRL-signing
     * key, which RFC 5280 allows). A re-keyed CA that issues certificates keeps CRLs of its own.
     */
    private List<String> crlKeysOf(final Authority authority) {
        final List<String> keys = new ArrayList<>(List.of(authority.key()));
        for (final Authority other : bySubject.get(authority.certificate().getSubjectX500Principal())) {
            final boolean[] usage = other.certificate().getKeyUsage();
            if (other != authority && usage != null && usage.length > 6 && usage[6] && !usage[5]) {
                keys.add(other.key());
            }
        }
        return List.copyOf(keys);
    }

    private static boolean selfSigned(final Authority authority) {
        final X509Certificate certificate = authority.certificate();
        return certificate.getIssuerX500Principal().equals(certificate.getSubjectX500Principal())
                && signedBy(certificate, authority);
    }

    private static boolean signedBy(final X509Certificate certificate, final Authority candidate) {
        final X509Certificate ca = candidate.certificate();
        if (ca.getBasicConstraints() < 0 && ca.getVersion() != 1) {
            // A v3 certificate without the CA flag issues nothing; a v1 certificate (no extensions at
            // all) can only be a configured trust anchor, as RFC 5280 allows for old roots.
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
