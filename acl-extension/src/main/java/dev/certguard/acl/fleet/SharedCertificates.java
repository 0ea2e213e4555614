package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.identity.CertificateIdentity;
import java.net.InetAddress;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Detects one certificate held by several devices (a cloned key). Clones fight over one session: with
 * the same client id, each CONNECT takes over the other's live connection, from another address. A
 * CONNECT whose certificate has a live connection under the same client id from a different address
 * is a takeover; {@code takeovers} of them within {@code window-seconds} are the finding
 * {@code certificate-shared}. A device reconnecting from its own address takes nothing over from
 * another address, and one that moved once counts one takeover: neither is ever a finding. Without
 * {@code require-client-id-equals-identity} clones can also hold separate sessions under different
 * client ids and never take over each other: there, a live connection of the certificate from a
 * different address under another client id is the finding at once. With
 * {@code on-shared-certificate refuse} the certificate is quarantined: its CONNECTs are refused and its
 * live connections cut for {@code quarantine-seconds}.
 * <p>
 * Holds, per certificate with a live connection, its connections and recent takeovers, keyed by the
 * first 64 bits of its SHA-256 fingerprint; the entry goes with its last connection (unless a
 * quarantine or a recent takeover keeps it). A certificate with one connection and nothing else to
 * remember (almost every one) is held as that connection alone, without a {@link Holder}.
 * Thread-safe: each certificate's entry changes atomically in a concurrent map.
 */
public final class SharedCertificates {

    /** At most this many addresses are named in a finding. */
    private static final int MAX_ADDRESSES = 8;
    /** The most takeovers remembered per certificate, the largest {@code takeovers} allowed. */
    static final int MAX_TAKEOVERS = 100;

    /** What a CONNECT gets. */
    public enum Verdict {
        ADMIT,
        /** The certificate is quarantined (found shared, refuse mode): refuse with 0x87. */
        REFUSE
    }

    private final @NotNull Clock clock;
    private final @NotNull FleetFindings findings;
    private final @NotNull Consumer<Connection> cut;
    /** Per certificate, its one {@link Connection}, or a {@link Holder} once there is more to remember. */
    private final @NotNull Map<Long, Object> holders = new ConcurrentHashMap<>();

    private volatile long nextPurge;

    /**
     * @param cut cuts a live connection of a quarantined certificate (DISCONNECT 0x87)
     */
    public SharedCertificates(
            final @NotNull Clock clock,
            final @NotNull FleetFindings findings,
            final @NotNull Consumer<Connection> cut) {
        this.clock = clock;
        this.findings = findings;
        this.cut = cut;
    }

    /** Tracks each authenticated connection's certificate while {@code inner} tracks the connection. */
    public <T> @NotNull ConnectionObserver<T> observing(final @NotNull ConnectionObserver<T> inner) {
        return new ConnectionObserver<T>() {
            @Override
            public @Nullable T authenticated(final @NotNull Connection connection) {
                added(connection);
                // Counted first: ended() uncounts it even when the inner observer throws here.
                return inner.authenticated(connection);
            }

            @Override
            public void ended(final @NotNull Connection connection, final @Nullable T record) {
                try {
                    inner.ended(connection, record);
                } finally {
                    removed(connection);
                }
            }

            @Override
            public void serverDisconnected(final @NotNull ServerInitiatedDisconnectInput input) {
                inner.serverDisconnected(input);
            }
        };
    }

    /**
     * Judges a CONNECT presenting the certificate of {@code fingerprint} under the final
     * {@code clientId} from {@code address}, once every check of acl-extension admitted it (so before
     * it takes anything over).
     */
    public @NotNull Verdict connecting(
            final @NotNull FleetAuditConfig config,
            final @NotNull String identity,
            final @NotNull String fingerprint,
            final @NotNull String clientId,
            final @Nullable InetAddress address) {
        if (!config.enabled()) {
            return Verdict.ADMIT;
        }
        final long now = clock.millis();
        purgeIfDue(now);
        final String[] found = new String[1];
        final List<Connection> toCut = new ArrayList<>();
        final boolean[] quarantined = new boolean[1];
        holders.computeIfPresent(key(fingerprint), (key, entry) -> {
            if (entry instanceof Connection && sameSite((Connection) entry, address)) {
                return entry;
            }
            final Holder holder = Holder.of(entry);
            if (holder.quarantinedUntil > now) {
                quarantined[0] = true;
                return holder;
            }
            if (address == null) {
                return holder;
            }
            final String site = site(address);
            final Set<String> others = new LinkedHashSet<>();
            boolean sameClientId = false;
            for (final Connection live : holder.live) {
                final InetAddress other = live.remoteAddress();
                if (other == null || site(other).equals(site)) {
                    continue;
                }
                sameClientId |= live.clientId().equals(clientId);
                others.add(site(other));
            }
            if (others.isEmpty()) {
                return holder;
            }
            final long window = config.windowSeconds() * 1000L;
            // An address that comes back: clones alternate between theirs, a roaming device moves on.
            if (holder.addresses.contains(site)) {
                holder.returnedAt = now;
            }
            holder.takenOver(now, window);
            holder.remember(others);
            holder.remember(Set.of(site));
            if (holder.takeovers() >= config.takeovers() && holder.returnedAt > now - window) {
                found[0] = (sameClientId ? "taken over " : "joined from another address while connected ")
                        + holder.takeovers() + " times within " + config.windowSeconds() + " s from addresses "
                        + holder.addresses;
            }
            if (found[0] != null && config.onSharedCertificate() == FleetAuditConfig.Action.REFUSE) {
                holder.quarantinedUntil = now + config.quarantineSeconds() * 1000L;
                holder.keepUntil = Math.max(holder.keepUntil, holder.quarantinedUntil);
                toCut.addAll(Arrays.asList(holder.live));
                quarantined[0] = true;
            }
            return holder;
        });
        if (found[0] != null) {
            findings.record(Check.CERTIFICATE_SHARED, identity, fingerprint, null, found[0]);
        } else if (quarantined[0]) {
            findings.record(Check.CERTIFICATE_SHARED, identity, fingerprint, null, "quarantined: a CONNECT refused");
        }
        toCut.forEach(cut);
        return quarantined[0] ? Verdict.REFUSE : Verdict.ADMIT;
    }

    /** Whether a connection with the certificate of {@code fingerprint} is live now. */
    public boolean isConnected(final @NotNull String fingerprint) {
        final Object entry = holders.get(key(fingerprint));
        return entry instanceof Connection || entry instanceof Holder && ((Holder) entry).live.length > 0;
    }

    /**
     * Where a client connects from, as far as telling devices apart goes: an IPv4 address, or an IPv6
     * address's /64 (a device's privacy addresses change within its /64).
     */
    static @NotNull String site(final @NotNull InetAddress address) {
        final byte[] bytes = address.getAddress();
        if (bytes.length != 16) {
            return address.getHostAddress();
        }
        final StringBuilder prefix = new StringBuilder();
        for (int i = 0; i < 8; i += 2) {
            prefix.append(Integer.toHexString(((bytes[i] & 0xff) << 8) | (bytes[i + 1] & 0xff)))
                    .append(':');
        }
        return prefix.append(":/64").toString();
    }

    /** Drops, at most once a minute, entries whose takeovers and quarantine are over and that hold no connection. */
    private void purgeIfDue(final long now) {
        if (now < nextPurge) {
            return;
        }
        nextPurge = now + 60_000L;
        holders.forEach((key, entry) -> holders.computeIfPresent(
                key,
                (k, current) -> current instanceof Holder
                                && ((Holder) current).live.length == 0
                                && ((Holder) current).keepUntil <= now
                        ? null
                        : current));
    }

    /** Certificates with an entry (a live connection, a recent takeover or a quarantine). */
    public int tracked() {
        return holders.size();
    }

    private void added(final Connection connection) {
        final X509Certificate leaf = connection.leaf();
        if (leaf == null) {
            return;
        }
        final boolean[] quarantined = new boolean[1];
        holders.compute(key(CertificateIdentity.sha256Fingerprint(leaf)), (key, entry) -> {
            if (entry == null) {
                return connection;
            }
            final Holder kept = Holder.of(entry);
            kept.live = Arrays.copyOf(kept.live, kept.live.length + 1);
            kept.live[kept.live.length - 1] = connection;
            quarantined[0] = kept.quarantinedUntil > clock.millis();
            return kept;
        });
        if (quarantined[0]) {
            // Admitted just before the quarantine began: it goes with the rest.
            cut.accept(connection);
        }
    }

    private void removed(final Connection connection) {
        final X509Certificate leaf = connection.leaf();
        if (leaf == null) {
            return;
        }
        final long now = clock.millis();
        holders.computeIfPresent(key(CertificateIdentity.sha256Fingerprint(leaf)), (key, entry) -> {
            if (entry instanceof Connection) {
                return entry == connection ? null : entry;
            }
            final Holder holder = (Holder) entry;
            final Connection[] live = holder.live;
            for (int i = 0; i < live.length; i++) {
                if (live[i] == connection) {
                    final Connection[] rest = new Connection[live.length - 1];
                    System.arraycopy(live, 0, rest, 0, i);
                    System.arraycopy(live, i + 1, rest, i, live.length - i - 1);
                    holder.live = rest;
                    break;
                }
            }
            // Kept while a quarantine or a takeover still counts: the clones come back.
            if (holder.keepUntil > now) {
                return holder;
            }
            return holder.live.length == 0 ? null : holder.live.length == 1 ? holder.live[0] : holder;
        });
    }

    /** Whether {@code address} is where {@code live} connects from (or either is unknown). */
    private static boolean sameSite(final Connection live, final @Nullable InetAddress address) {
        final InetAddress other = live.remoteAddress();
        return address == null || other == null || site(other).equals(site(address));
    }

    private static long key(final String fingerprint) {
        return Long.parseUnsignedLong(fingerprint.substring(0, 16), 16);
    }

    /** One certificate's live connections and recent takeovers. Guarded by the map's per-key atomicity. */
    private static final class Holder {
        private static final Connection[] NONE = new Connection[0];

        Connection[] live = NONE;
        private static final long[] NO_TAKEOVERS = new long[0];

        /** {@code entry} as a holder: itself, or a new one holding its one connection. */
        static Holder of(final Object entry) {
            if (entry instanceof Holder) {
                return (Holder) entry;
            }
            final Holder holder = new Holder();
            holder.live = new Connection[] {(Connection) entry};
            return holder;
        }

        long[] takeoverTimes = NO_TAKEOVERS;
        /** Until when the entry stays without a live connection: the window of its takeovers, its quarantine. */
        long keepUntil;

        long quarantinedUntil;
        /** When an address this certificate connected from before came back while it was live elsewhere. */
        long returnedAt = Long.MIN_VALUE / 2;

        Set<String> addresses = Set.of();

        void takenOver(final long now, final long window) {
            final long[] recent = Arrays.stream(takeoverTimes)
                    .filter(time -> time > now - window)
                    .toArray();
            // The most recent ones are enough to count up to any threshold the configuration allows.
            final long[] kept = recent.length < MAX_TAKEOVERS
                    ? recent
                    : Arrays.copyOfRange(recent, recent.length - MAX_TAKEOVERS + 1, recent.length);
            takeoverTimes = Arrays.copyOf(kept, kept.length + 1);
            takeoverTimes[kept.length] = now;
            keepUntil = Math.max(keepUntil, now + window);
        }

        int takeovers() {
            return takeoverTimes.length;
        }

        void remember(final Set<String> seen) {
            if (addresses.size() >= MAX_ADDRESSES) {
                return;
            }
            final Set<String> all = new LinkedHashSet<>(addresses);
            for (final String address : seen) {
                if (all.size() < MAX_ADDRESSES) {
                    all.add(address);
                }
            }
            addresses = all;
        }
    }
}
