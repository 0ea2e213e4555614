package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.path.Authority;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.path.CertificatePoints;
import dev.certguard.crl.verify.VerifiedCrl;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.security.auth.x500.X500Principal;

/**
 * The CRLs in use, one per issuing authority (name and key) and scope (a complete CRL, or each
 * partition of a partitioned one), as one immutable value that CONNECT checks read without locks; a
 * refresh builds a new snapshot and swaps it in. Immutable; thread-safe.
 */
public final class RevocationSnapshot {

    static final RevocationSnapshot EMPTY = new RevocationSnapshot(Shards.empty(), Map.of());

    /** The revocation status of a certificate path. */
    public static final class Status {
        static final Status GOOD = new Status(null, null, null);

        private final @Nullable X509Certificate revoked;
        private final @Nullable X500Principal unavailableIssuer;
        private final @Nullable X500Principal unknownIssuer;

        private Status(
                final @Nullable X509Certificate revoked,
                final @Nullable X500Principal unavailableIssuer,
                final @Nullable X500Principal unknownIssuer) {
            this.revoked = revoked;
            this.unavailableIssuer = unavailableIssuer;
            this.unknownIssuer = unknownIssuer;
        }

        /** The first revoked certificate of the path, or {@code null}. */
        public @Nullable X509Certificate revoked() {
            return revoked;
        }

        /** An issuer on the path with no usable CRL, or {@code null}. */
        public @Nullable X500Principal unavailableIssuer() {
            return unavailableIssuer;
        }

        /**
         * The issuer of a certificate that none of the configured CAs issued, or {@code null}. Such a
         * certificate is refused whatever {@code when-unavailable} says: that setting is for a CRL that
         * cannot be had, not for an issuer nobody configured.
         */
        public @Nullable X500Principal unknownIssuer() {
            return unknownIssuer;
        }

        public boolean good() {
            return revoked == null && unavailableIssuer == null && unknownIssuer == null;
        }
    }

    /**
     * An immutable map split into {@value #COUNT} hash maps by key: a change copies only the one that
     * holds the key, so putting thousands of partitions in use one by one costs time linear in their
     * number, not quadratic. Immutable; thread-safe.
     */
    static final class Shards<V> extends AbstractMap<String, V> {
        private static final int COUNT = 64;
        private static final Shards<?> EMPTY = new Shards<>(emptyShards(), 0);

        private final Map<String, V>[] shards;
        private final int size;

        private Shards(final Map<String, V>[] shards, final int size) {
            this.shards = shards;
            this.size = size;
        }

        @SuppressWarnings("unchecked")
        private static <V> Map<String, V>[] emptyShards() {
            final Map<String, V>[] shards = new Map[COUNT];
            Arrays.fill(shards, Map.of());
            return shards;
        }

        @SuppressWarnings("unchecked")
        static <V> Shards<V> empty() {
            return (Shards<V>) EMPTY;
        }

        private static int index(final Object key) {
            final int h = key.hashCode();
            return (h ^ (h >>> 16)) & (COUNT - 1);
        }

        @Override
        public V get(final Object key) {
            return shards[index(key)].get(key);
        }

        /** This map with {@code key} mapped to {@code value}, or removed when {@code value} is null. */
        Shards<V> with(final String key, final V value) {
            final int index = index(key);
            final Map<String, V> shard = new HashMap<>(shards[index]);
            final boolean had = value == null ? shard.remove(key) != null : shard.put(key, value) != null;
            final Map<String, V>[] next = shards.clone();
            next[index] = Collections.unmodifiableMap(shard);
            return new Shards<>(next, size + (value == null ? (had ? -1 : 0) : (had ? 0 : 1)));
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Set<Entry<String, V>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public Iterator<Entry<String, V>> iterator() {
                    return Arrays.stream(shards)
                            .flatMap(shard -> shard.entrySet().stream())
                            .iterator();
                }

                @Override
                public int size() {
                    return size;
                }
            };
        }
    }

    /** An issuer's CRLs, indexed for the CONNECT path: by distribution point name, never scanned. */
    private static final class IssuerCrls {
        static final IssuerCrls NONE = new IssuerCrls(new VerifiedCrl[0], Shards.empty(), Shards.empty());

        /** CRLs that name no distribution point: the complete CRL, or partitions by flags only. */
        final VerifiedCrl @NotNull [] unnamed;
        /** Partitions by each distribution point name they carry. */
        final @NotNull Shards<VerifiedCrl[]> byName;
        /** The delta CRL in use for each scope ({@link dev.certguard.crl.verify.CrlScope#key()}). */
        final @NotNull Shards<VerifiedCrl> deltas;

        private IssuerCrls(
                final VerifiedCrl @NotNull [] unnamed,
                final @NotNull Shards<VerifiedCrl[]> byName,
                final @NotNull Shards<VerifiedCrl> deltas) {
            this.unnamed = unnamed;
            this.byName = byName;
            this.deltas = deltas;
        }

        /** These CRLs with {@code added} in place of {@code replaced} (the CRL it replaces, or null). */
        IssuerCrls with(final @NotNull VerifiedCrl added, final @Nullable VerifiedCrl replaced) {
            if (added.isDelta()) {
                return new IssuerCrls(unnamed, byName, deltas.with(added.scope().key(), added));
            }
            if (added.scope().names().isEmpty()) {
                final List<VerifiedCrl> next = new ArrayList<>(Arrays.asList(unnamed));
                next.remove(replaced);
                next.add(added);
                return new IssuerCrls(next.toArray(new VerifiedCrl[0]), byName, deltas);
            }
            Shards<VerifiedCrl[]> names = byName;
            if (replaced != null) {
                for (final String name : replaced.scope().names()) {
                    final List<VerifiedCrl> left = new ArrayList<>(Arrays.asList(names.get(name)));
                    left.remove(replaced);
                    names = names.with(name, left.isEmpty() ? null : left.toArray(new VerifiedCrl[0]));
                }
            }
            for (final String name : added.scope().names()) {
                final VerifiedCrl[] present = names.get(name);
                final VerifiedCrl[] next =
                        present == null ? new VerifiedCrl[1] : Arrays.copyOf(present, present.length + 1);
                next[next.length - 1] = added;
                names = names.with(name, next);
            }
            return new IssuerCrls(unnamed, names, deltas);
        }

        /** These CRLs without {@code removed}. */
        IssuerCrls without(final @NotNull VerifiedCrl removed) {
            if (removed.isDelta()) {
                return new IssuerCrls(
                        unnamed, byName, deltas.with(removed.scope().key(), null));
            }
            if (removed.scope().names().isEmpty()) {
                final List<VerifiedCrl> next = new ArrayList<>(Arrays.asList(unnamed));
                next.remove(removed);
                return new IssuerCrls(next.toArray(new VerifiedCrl[0]), byName, deltas);
            }
            Shards<VerifiedCrl[]> names = byName;
            for (final String name : removed.scope().names()) {
                final VerifiedCrl[] present = names.get(name);
                if (present != null) {
                    final List<VerifiedCrl> left = new ArrayList<>(Arrays.asList(present));
                    left.remove(removed);
                    names = names.with(name, left.isEmpty() ? null : left.toArray(new VerifiedCrl[0]));
                }
            }
            return new IssuerCrls(unnamed, names, deltas);
        }
    }

    /** Every CRL in use by {@link VerifiedCrl#key()}: issuer, and scope for a partition. */
    private final @NotNull Shards<VerifiedCrl> byKey;
    /** The same CRLs by {@link VerifiedCrl#issuerKey()}. */
    private final @NotNull Map<String, IssuerCrls> byIssuer;

    private RevocationSnapshot(
            final @NotNull Shards<VerifiedCrl> byKey, final @NotNull Map<String, IssuerCrls> byIssuer) {
        this.byKey = byKey;
        this.byIssuer = byIssuer;
    }

    /** The CRL in use under {@code key} ({@link VerifiedCrl#key()}), or {@code null}. */
    public @Nullable VerifiedCrl crl(final @NotNull String key) {
        return byKey.get(key);
    }

    /** Every CRL in use, by {@link VerifiedCrl#key()}. */
    public @NotNull Map<String, VerifiedCrl> crls() {
        return byKey;
    }

    /** A snapshot with {@code crl} in place of the previous CRL of its issuer and scope. */
    @NotNull RevocationSnapshot with(final @NotNull VerifiedCrl crl) {
        final VerifiedCrl replaced = byKey.get(crl.key());
        final Map<String, IssuerCrls> nextByIssuer = new HashMap<>(byIssuer);
        nextByIssuer.put(
                crl.issuerKey(),
                byIssuer.getOrDefault(crl.issuerKey(), IssuerCrls.NONE).with(crl, replaced));
        return new RevocationSnapshot(byKey.with(crl.key(), crl), Map.copyOf(nextByIssuer));
    }

    /** A snapshot without {@code crl} (the same snapshot when {@code crl} is not the one in use under its key). */
    @NotNull RevocationSnapshot without(final @NotNull VerifiedCrl crl) {
        if (byKey.get(crl.key()) != crl) {
            return this;
        }
        final Map<String, IssuerCrls> nextByIssuer = new HashMap<>(byIssuer);
        nextByIssuer.put(
                crl.issuerKey(),
                byIssuer.getOrDefault(crl.issuerKey(), IssuerCrls.NONE).without(crl));
        return new RevocationSnapshot(byKey.with(crl.key(), null), Map.copyOf(nextByIssuer));
    }

    /**
     * Checks the leaf and every CA of its path below the anchor against the CRLs of the authority that
     * issued it (under its own key or a CRL-signing key of its name), by hash lookups only. A revoked
     * certificate wins over an unavailable CRL.
     */
    public @NotNull Status check(
            final @NotNull CertificatePath path, final @NotNull Instant now, final @NotNull Duration grace) {
        if (path.unknownIssuer() != null) {
            return new Status(null, null, path.unknownIssuer());
        }
        X500Principal unavailable = null;
        X509Certificate certificate = path.leaf();
        CertificatePoints points = null;
        for (Authority issuer = path.issuer(); issuer != null; issuer = issuer.issuer()) {
            final int verdict = status(issuer, certificate, points, path, now, grace);
            if (verdict == REVOKED) {
                return new Status(certificate, null, null);
            }
            if (verdict == UNCOVERED && unavailable == null) {
                unavailable = issuer.certificate().getSubjectX500Principal();
            }
            points = issuer.points();
            certificate = issuer.certificate();
        }
        return unavailable == null ? Status.GOOD : new Status(null, unavailable, null);
    }

    /**
     * The Freshest CRL URLs of the current complete CRLs covering a certificate of {@code path} that
     * name deltas but have none applied yet (a delta to fetch before deciding); empty when there are
     * none. Walks the path like {@link #check}, by hash lookups.
     */
    public @NotNull List<java.net.URI> missingDeltas(
            final @NotNull CertificatePath path, final @NotNull Instant now, final @NotNull Duration grace) {
        if (path.unknownIssuer() != null) {
            return List.of();
        }
        List<java.net.URI> missing = null;
        X509Certificate certificate = path.leaf();
        CertificatePoints points = null;
        for (Authority issuer = path.issuer(); issuer != null; issuer = issuer.issuer()) {
            final boolean ca = certificate.getBasicConstraints() >= 0;
            for (final String key : issuer.crlKeys()) {
                final IssuerCrls crls = byIssuer.getOrDefault(key, IssuerCrls.NONE);
                for (final VerifiedCrl crl : crls.unnamed) {
                    missing = missingDelta(crl, crls, ca, now, grace, missing);
                }
                if (!crls.byName.isEmpty()) {
                    final CertificatePoints named = points != null ? points : path.leafPoints();
                    for (final CertificatePoints.Point point : named.points()) {
                        for (final String name : point.names()) {
                            final VerifiedCrl[] found = crls.byName.get(name);
                            for (int i = 0; found != null && i < found.length; i++) {
                                missing = missingDelta(found[i], crls, ca, now, grace, missing);
                            }
                        }
                    }
                }
            }
            points = issuer.points();
            certificate = issuer.certificate();
        }
        return missing == null ? List.of() : missing;
    }

    /** {@code missing} plus the Freshest CRL URLs of {@code crl} when it covers and has no delta applied. */
    private static @Nullable List<java.net.URI> missingDelta(
            final VerifiedCrl crl,
            final IssuerCrls crls,
            final boolean ca,
            final Instant now,
            final Duration grace,
            final @Nullable List<java.net.URI> missing) {
        if (!crl.namesDeltas()
                || crl.freshest().isEmpty()
                || !crl.scope().covers(ca)
                || crl.nextUpdate().plus(grace).isBefore(now)
                || crls.deltas.get(crl.scope().key()) != null) {
            return missing;
        }
        final List<java.net.URI> more = missing == null ? new ArrayList<>() : missing;
        more.addAll(crl.freshest());
        return more;
    }

    /** {@link #consider}: the CRLs list the certificate as revoked. */
    private static final int LISTED = -1;
    /** {@link #consider}: the CRL (or its delta) is out of date, so it covers nothing. */
    private static final int OUT_OF_DATE = -2;

    private static final int COVERED = 0;
    private static final int REVOKED = 1;
    private static final int UNCOVERED = 2;

    /**
     * RFC 5280 6.3.3 for one certificate and its issuer's CRLs: the usable CRLs whose scope covers it
     * must together cover every reason, and any of them listing it revokes it. A stale CRL, or one
     * whose scope does not cover the certificate, decides nothing.
     *
     * @param known the certificate's distribution points when already read ({@code null} for the
     *     leaf, whose points {@code path} gives only when its issuer has partitions that name them)
     */
    private int status(
            final Authority issuer,
            final X509Certificate certificate,
            final @Nullable CertificatePoints known,
            final CertificatePath path,
            final Instant now,
            final Duration grace) {
        final byte[] serial = certificate.getSerialNumber().toByteArray();
        final boolean ca = certificate.getBasicConstraints() >= 0;
        CertificatePoints points = known;
        int covered = 0;
        // The partition a certificate names going stale leaves it unavailable, whatever other CRL
        // of the issuer (an old complete one served somewhere, say) would cover it.
        boolean ownPartitionStale = false;
        for (final String key : issuer.crlKeys()) {
            final IssuerCrls crls = byIssuer.getOrDefault(key, IssuerCrls.NONE);
            for (final VerifiedCrl crl : crls.unnamed) {
                final int reasons = consider(crl, crls, CertificatePoints.ALL_REASONS, ca, serial, now, grace);
                if (reasons == LISTED) {
                    return REVOKED;
                }
                covered |= Math.max(0, reasons);
            }
            if (crls.byName.isEmpty()) {
                continue;
            }
            if (points == null) {
                points = path.leafPoints();
            }
            for (final CertificatePoints.Point point : points.points()) {
                if (point.indirect()) {
                    continue;
                }
                for (final String name : point.names()) {
                    final VerifiedCrl[] named = crls.byName.get(name);
                    if (named == null) {
                        continue;
                    }
                    for (final VerifiedCrl crl : named) {
                        final int reasons = consider(crl, crls, point.reasons(), ca, serial, now, grace);
                        if (reasons == LISTED) {
                            return REVOKED;
                        }
                        if (reasons == OUT_OF_DATE) {
                            ownPartitionStale = true;
                        }
                        covered |= Math.max(0, reasons);
                    }
                }
            }
        }
        return covered == CertificatePoints.ALL_REASONS && !ownPartitionStale ? COVERED : UNCOVERED;
    }

    /**
     * The reasons the complete CRL {@code crl}, with its scope's delta where one applies (RFC 5280
     * 5.2.4, 6.3.3), covers for the certificate, {@link #LISTED} when they list it as revoked, or {@link #OUT_OF_DATE}. A
     * delta applies to a base numbered from its BaseCRLNumber up to below its own number, and what it
     * or its base revokes stays revoked even once it is past its nextUpdate; but an applicable delta
     * past its nextUpdate (and grace) covers nothing, since newer revocations are missing, and neither
     * does a base that names its deltas (Freshest CRL) without one applying, once a delta was in use
     * for its scope. A delta's removeFromCRL lifts only a base's certificateHold.
     */
    private static int consider(
            final VerifiedCrl crl,
            final IssuerCrls crls,
            final int pointReasons,
            final boolean ca,
            final byte[] serial,
            final Instant now,
            final Duration grace) {
        if (!crl.scope().covers(ca)) {
            return 0;
        }
        if (crl.nextUpdate().plus(grace).isBefore(now)) {
            return OUT_OF_DATE;
        }
        final VerifiedCrl delta =
                crls.deltas.isEmpty() ? null : crls.deltas.get(crl.scope().key());
        final boolean applies = delta != null
                && crl.number() != null
                && crl.number().compareTo(delta.deltaBase()) >= 0
                && crl.number().compareTo(delta.number()) < 0;
        final boolean revoked = applies
                ? delta.revoked().contains(serial)
                        || (crl.revoked().contains(serial)
                                && !(delta.lifted().contains(serial)
                                        && crl.held().contains(serial)))
                : crl.revoked().contains(serial);
        if (revoked) {
            return LISTED;
        }
        if (applies ? delta.nextUpdate().plus(grace).isBefore(now) : delta != null && crl.namesDeltas()) {
            return OUT_OF_DATE;
        }
        return crl.scope().reasons() & pointReasons;
    }
}
