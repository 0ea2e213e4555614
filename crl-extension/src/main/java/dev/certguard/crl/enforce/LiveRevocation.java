package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.audit.Audit;
import dev.certguard.connection.Connection;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionObserver;
import dev.certguard.crl.ocsp.OcspAnswer;
import dev.certguard.crl.ocsp.OcspChecks;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.Authority;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationSnapshot;
import dev.certguard.crl.verify.RevocationIndex;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.reason.Reason;
import dev.certguard.text.SafeLog;
import dev.certguard.text.UntrustedText;
import java.math.BigInteger;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Cuts connections whose certificate, or a CA on its path, becomes revoked while they are connected,
 * whose certificate or identity the operator puts on the deny list, or whose issuer a reload removed
 * from the configured CAs. Each connection's path is kept in its own {@link Live} record (rebuilt
 * when a reload changes the CAs); after a CRL, the deny list or the configuration changes, every
 * record is checked and the ones now refused are cut through the shared {@link ConnectionCutter},
 * which never hits a later connection with the same client id. Revocation and deny-list cuts also
 * remove the client's session when {@code purge-session-on-revocation} is on.
 * A CRL update visits only the connections whose serial it newly lists; the OCSP refresh visits
 * only the connections whose answers fall due. Sweeps run on one thread at a time (certguard's
 * sweep thread), never on a broker thread. Thread-safe: records live in a concurrent map by
 * serial; snapshots and runtimes are immutable.
 */
public final class LiveRevocation implements ConnectionObserver<LiveRevocation.Live> {

    private static final SafeLog log = SafeLog.of(LiveRevocation.class);

    /** One authenticated connection that presented a certificate, and its path. */
    public static final class Live {
        final @NotNull Connection connection;
        volatile @NotNull Authorities authorities;
        volatile @NotNull CertificatePath path;
        /** The second its OCSP answers fall due in {@link #ocspDue}, or {@link #UNSCHEDULED}. */
        volatile long ocspDueSecond = UNSCHEDULED;
        /**
         * The leaf's identity, parsed at the first deny-list check that needs it (a CN parse is the
         * costly part of checking a fleet against identity entries); its fingerprint is not kept.
         */
        private volatile @Nullable Object identity;

        Live(final @NotNull Connection connection, final @NotNull Authorities authorities) {
            this.connection = connection;
            this.authorities = authorities;
            this.path = authorities.path(connection.leaf());
        }

        /** The path through the CAs in force (rebuilt once after a reload changed them). */
        CertificatePath path(final Authorities current) {
            if (authorities != current) {
                path = current.path(connection.leaf());
                authorities = current;
            }
            return path;
        }

        /** The leaf's SHA-256 fingerprint. */
        String fingerprint() {
            return CertificateIdentity.sha256Fingerprint(connection.leaf());
        }

        /** The leaf's identity (CN), computed once; {@code null} when its CN is not a valid identity. */
        @Nullable String identity() {
            Object value = identity;
            if (value == null) {
                try {
                    value = CertificateIdentity.commonName(connection.leaf());
                } catch (final InvalidIdentityException e) {
                    value = NO_IDENTITY;
                }
                identity = value;
            }
            return value == NO_IDENTITY ? null : (String) value;
        }
    }

    private static final Object NO_IDENTITY = new Object();
    private static final long UNSCHEDULED = Long.MIN_VALUE;
    /** How soon a connection whose OCSP answer is missing (a failed or refused request) is asked about again. */
    static final Duration OCSP_RETRY = Duration.ofSeconds(5);
    /**
     * How many CRL entries can be compared with the previous CRL in the time one connection's check
     * takes (measured: about 0.2 µs an entry, 0.9 µs a connection, with a 1,000,000-entry CRL).
     */
    private static final int VISIT_PER_LOOKUP = 4;
    /**
     * The most refreshes the sweep keeps waiting on its responders at once. Answers that fall due
     * together (a responder that signs every answer with one {@code nextUpdate}, OCSP turned on for a
     * connected fleet) are then asked for over the following seconds as answers come back, instead of
     * as one burst of a request (and a socket) per connection.
     */
    static final int OCSP_REFRESHES_IN_FLIGHT = 64;

    /**
     * Every tracked connection, by its certificate's serial: a {@link Live}, or a {@code Live[]} when
     * several connections present certificates with one serial (one certificate used twice, or
     * serials of different CAs that coincide). A CRL update looks up only what it newly revokes.
     */
    private final ConcurrentHashMap<BigInteger, Object> bySerial = new ConcurrentHashMap<>();

    private final AtomicInteger tracked = new AtomicInteger();
    /** Connections whose cut gave up (HiveMQ did not find them) while they stayed connected: every sweep tries again. */
    private final Set<Live> gaveUp = ConcurrentHashMap.newKeySet();
    /** What the previous self-check found; read and written on the sweep thread only. */
    private Set<Live> excludedBefore = Set.of();
    /** The snapshot the last sweep checked every connection against (sweeps run one at a time). */
    private @Nullable RevocationSnapshot swept;
    /**
     * Connections by the second (epoch) their next OCSP refresh falls due: each sweep visits only the
     * ones due, so its cost follows the answers expiring, not the fleet.
     */
    private final ConcurrentSkipListMap<Long, Set<Live>> ocspDue = new ConcurrentSkipListMap<>();
    /** The OCSP answers the schedule was built for; another instance (a reload) rebuilds it. */
    private volatile @Nullable OcspStatuses ocspScheduled;
    /** The CAs the schedule was built with; other CAs (a reload) give other paths, so it is rebuilt. */
    private @Nullable Authorities ocspAuthorities;
    /** Refreshes asked and not answered yet (decremented on the thread that gets the answer). */
    private final AtomicInteger ocspInFlight = new AtomicInteger();
    /** Whether a sweep left due connections for want of room under the cap. */
    private final AtomicBoolean ocspHeldBack = new AtomicBoolean();
    /** Runs the sweep again (on its own thread) when refreshes it held back can go. */
    private volatile @NotNull Runnable ocspRoom = () -> {};

    private final @NotNull ConnectionCutter cutter;
    private final @NotNull Supplier<CrlRuntime> runtime;
    private final @NotNull Supplier<RevocationSnapshot> snapshot;
    private final @NotNull CrlMetrics metrics;
    private final @NotNull Clock clock;
    private final @NotNull Audit audit;

    public LiveRevocation(
            final @NotNull ConnectionCutter cutter,
            final @NotNull Supplier<CrlRuntime> runtime,
            final @NotNull Supplier<RevocationSnapshot> snapshot,
            final @NotNull CrlMetrics metrics,
            final @NotNull Clock clock,
            final @NotNull Audit audit) {
        this.audit = audit;
        this.cutter = cutter;
        this.runtime = runtime;
        this.snapshot = snapshot;
        this.metrics = metrics;
        this.clock = clock;
        metrics.trackedGauge(tracked::get);
    }

    /** Remembers the connection's path when it presented a certificate. */
    @Override
    public @Nullable Live authenticated(final @NotNull Connection connection) {
        if (connection.leaf() == null) {
            return null;
        }
        final Live record = new Live(connection, runtime.get().authorities());
        add(record);
        // A CRL, deny list or configuration installed between this connection's CONNECT check and
        // now was swept without it: read them only after the record is where every sweep sees it.
        check(record, runtime.get(), snapshot.get());
        if (ocspScheduled != null) {
            // The CONNECT check has just asked; the next OCSP sweep works out when to ask again.
            schedule(record, clock.instant().getEpochSecond() + 1);
        }
        return record;
    }

    @Override
    public void ended(final @NotNull Connection connection, final @Nullable Live record) {
        if (record != null) {
            remove(record);
            unschedule(record);
            gaveUp.remove(record);
        }
    }

    private void add(final Live record) {
        bySerial.compute(record.connection.leaf().getSerialNumber(), (serial, held) -> {
            if (held == null) {
                return record;
            }
            if (held instanceof Live) {
                return new Live[] {(Live) held, record};
            }
            final Live[] many = (Live[]) held;
            final Live[] more = Arrays.copyOf(many, many.length + 1);
            more[many.length] = record;
            return more;
        });
        tracked.incrementAndGet();
    }

    private void remove(final Live record) {
        final boolean[] removed = new boolean[1];
        bySerial.computeIfPresent(record.connection.leaf().getSerialNumber(), (serial, held) -> {
            if (held == record) {
                removed[0] = true;
                return null;
            }
            if (!(held instanceof Live[])) {
                return held;
            }
            final Live[] many = (Live[]) held;
            int at = -1;
            for (int i = 0; i < many.length && at < 0; i++) {
                at = many[i] == record ? i : -1;
            }
            if (at < 0) {
                return held;
            }
            removed[0] = true;
            if (many.length == 2) {
                return many[1 - at];
            }
            final Live[] fewer = new Live[many.length - 1];
            System.arraycopy(many, 0, fewer, 0, at);
            System.arraycopy(many, at + 1, fewer, at, many.length - at - 1);
            return fewer;
        });
        if (removed[0]) {
            tracked.decrementAndGet();
        }
    }

    /**
     * Calls {@code action} with the http(s) CRL distribution points of each tracked connection's
     * certificate path (discovery keeps the URLs connected devices name).
     */
    public void forEachDistributionPoints(
            final @NotNull java.util.function.Consumer<java.util.Collection<java.net.URI>> action) {
        final dev.certguard.crl.path.Authorities current = runtime.get().authorities();
        forEach(record -> action.accept(record.path(current).distributionPoints()));
    }

    /** Calls {@code action} with every tracked connection. */
    private void forEach(final java.util.function.Consumer<Live> action) {
        for (final Object held : bySerial.values()) {
            if (held instanceof Live) {
                action.accept((Live) held);
            } else {
                for (final Live one : (Live[]) held) {
                    action.accept(one);
                }
            }
        }
    }

    /**
     * Checks the connections a new CRL snapshot may now refuse: those whose certificate's serial a
     * changed CRL newly lists, found by serial instead of by visiting the fleet. Every connection is
     * checked instead when that is cheaper (the new entries outnumber the connections) or needed (a
     * configured CA's serial is newly listed, which refuses every connection below it). Call from
     * one thread at a time (certguard's sweep thread).
     */
    public void sweepCrlChanges() {
        final RevocationSnapshot next = snapshot.get();
        final RevocationSnapshot previous = swept;
        if (previous == null) {
            sweep();
            return;
        }
        final CrlRuntime current = runtime.get();
        final Instant now = clock.instant();
        final Set<BigInteger> caSerials = new HashSet<>();
        for (final Authority authority : current.authorities().all()) {
            caSerials.add(authority.certificate().getSerialNumber());
        }
        final int connections = tracked.get();
        final List<BigInteger> listed = new ArrayList<>();
        final boolean[] everyone = new boolean[1];
        long changedEntries = 0;
        for (final Map.Entry<String, VerifiedCrl> crl : next.crls().entrySet()) {
            if (previous.crl(crl.getKey()) != crl.getValue()) {
                changedEntries += crl.getValue().revoked().size();
                if (crl.getValue().isDelta() || crl.getValue().namesDeltas()) {
                    // A base and its delta decide together (a lift, a new hold, a delta that stops
                    // applying): what changed is not the difference of one CRL, so everyone is checked.
                    everyone[0] = true;
                }
            }
        }
        if ((long) connections * VISIT_PER_LOOKUP < changedEntries) {
            // Visiting every connection costs less than finding what the changed CRLs newly list.
            sweep(next);
            return;
        }
        for (final Map.Entry<String, VerifiedCrl> crl : next.crls().entrySet()) {
            final VerifiedCrl before = previous.crl(crl.getKey());
            if (before == crl.getValue() || everyone[0]) {
                continue;
            }
            // A CRL past its nextUpdate (and grace) refused nobody: clients it lists may have been
            // admitted (when-unavailable allow), so against it everything listed is new.
            final boolean usable = before != null
                    && !before.nextUpdate().plus(current.config().gracePeriod()).isBefore(now);
            final RevocationIndex old = usable ? before.revoked() : RevocationIndex.EMPTY;
            crl.getValue().revoked().forEachNotIn(old, serial -> {
                if (everyone[0]) {
                    return;
                }
                final BigInteger number = new BigInteger(serial);
                if (caSerials.contains(number) || listed.size() >= connections) {
                    everyone[0] = true;
                    return;
                }
                listed.add(number);
            });
        }
        if (everyone[0]) {
            sweep(next);
            return;
        }
        swept = next;
        for (final Live record : gaveUp) {
            gaveUp.remove(record);
            checkGuarded(record, current, next);
        }
        for (final BigInteger serial : listed) {
            final Object held = bySerial.get(serial);
            if (held instanceof Live) {
                checkGuarded((Live) held, current, next);
            } else if (held != null) {
                for (final Live one : (Live[]) held) {
                    checkGuarded(one, current, next);
                }
            }
        }
    }

    /**
     * Checks every tracked connection against {@code snapshot} (after the configuration or the deny
     * list changed, or when a CRL change asks for it). Call from one thread at a time.
     */
    public void sweep(final @NotNull RevocationSnapshot snapshot) {
        final CrlRuntime current = runtime.get();
        swept = snapshot;
        gaveUp.clear();
        forEach(record -> checkGuarded(record, current, snapshot));
    }

    /** Checks every tracked connection against the CRLs, deny list and configuration in force. */
    public void sweep() {
        sweep(snapshot.get());
    }

    /**
     * Checks every tracked connection against the deny list only, after it alone changed (the CRLs
     * and CAs a sweep already checked them against are the same). Call from one thread at a time.
     */
    public void sweepDenyList() {
        final CrlRuntime current = runtime.get();
        final RevocationSnapshot snapshot = this.snapshot.get();
        for (final Live record : gaveUp) {
            gaveUp.remove(record);
            checkGuarded(record, current, snapshot);
        }
        forEach(record -> {
            try {
                if (!record.connection.ended() && !record.connection.cutPending()) {
                    denied(record, current);
                }
            } catch (final RuntimeException e) {
                log.warn("crl-extension: deny-list check of {} failed: {}", record.connection.describe(), e.toString());
            }
        });
    }

    /**
     * The self-check behind the fleet audit's {@code revoked-still-connected}: the connections still
     * connected although the deny list, the CRLs and configuration in force (with
     * {@code disconnect-revoked-clients}) or the configured CAs exclude them, and whose cut is not
     * under way, counted only when the previous self-check found them too (a CRL installed a moment
     * ago is still being swept). Must be 0: anything else is a defect. Reads the state in force, cuts
     * nothing. Call from one thread at a time (the sweep thread).
     *
     * @return the connections found both now and at the previous call
     */
    public @NotNull List<Connection> stillConnectedExcluded() {
        final CrlRuntime current = runtime.get();
        final RevocationSnapshot snapshot = this.snapshot.get();
        final Set<Live> now = new HashSet<>();
        forEach(record -> {
            final Connection connection = record.connection;
            if (connection.ended() || (connection.cutPending() && !gaveUp.contains(record))) {
                return;
            }
            try {
                if (current.denyList().denies(record::fingerprint, record::identity) != null) {
                    now.add(record);
                    return;
                }
                final RevocationSnapshot.Status status = snapshot.check(
                        record.path(current.authorities()),
                        clock.instant(),
                        current.config().gracePeriod());
                if (status.unknownIssuer() != null
                        || (status.revoked() != null && current.config().disconnectRevokedClients())) {
                    now.add(record);
                }
            } catch (final RuntimeException e) {
                log.warn("crl-extension: self-check of {} failed: {}", connection.describe(), e.toString());
            }
        });
        final List<Connection> found = new ArrayList<>();
        for (final Live record : now) {
            if (excludedBefore.contains(record)) {
                found.add(record.connection);
            }
        }
        excludedBefore = now;
        return found;
    }

    /** Cuts the connection when the deny list names its certificate or identity; whether it did. */
    private boolean denied(final Live record, final CrlRuntime current) {
        final String denied = current.denyList().denies(record::fingerprint, record::identity);
        if (denied == null) {
            return false;
        }
        cut(record, CrlReasons.CUT_DENIED, current, "it is on the deny list (" + denied + ")", true);
        return true;
    }

    private void checkGuarded(final Live record, final CrlRuntime current, final RevocationSnapshot snapshot) {
        try {
            check(record, current, snapshot);
        } catch (final RuntimeException e) {
            // One connection's check must not end the sweep.
            log.warn("crl-extension: revocation check of {} failed: {}", record.connection.describe(), e.toString());
        }
    }

    private void check(final Live record, final CrlRuntime current, final RevocationSnapshot snapshot) {
        final Connection connection = record.connection;
        if (connection.ended() || connection.cutPending()) {
            return;
        }
        if (denied(record, current)) {
            return;
        }
        final RevocationSnapshot.Status status = snapshot.check(
                record.path(current.authorities()),
                clock.instant(),
                current.config().gracePeriod());
        if (status.unknownIssuer() != null) {
            cut(
                    record,
                    CrlReasons.CUT_UNKNOWN_ISSUER,
                    current,
                    "its issuer '" + UntrustedText.escape(status.unknownIssuer().getName())
                            + "' is no longer one of the configured ca-certificates",
                    false);
            return;
        }
        final X509Certificate revoked = status.revoked();
        if (revoked != null && current.config().disconnectRevokedClients()) {
            cut(
                    record,
                    CrlReasons.CUT_REVOKED,
                    current,
                    "certificate '"
                            + UntrustedText.escape(
                                    revoked.getSubjectX500Principal().getName())
                            + "' (serial " + revoked.getSerialNumber().toString(16) + ", issuer '"
                            + UntrustedText.escape(
                                    revoked.getIssuerX500Principal().getName())
                            + "') on its path was revoked",
                    true);
        }
    }

    private void cut(
            final Live record,
            final Reason reason,
            final CrlRuntime current,
            final String detail,
            final boolean revocation) {
        final boolean purge = revocation && current.config().purgeSessionOnRevocation();
        cutter.cut(record.connection, new ConnectionCutter.Cut(reason, reason.text(), true, purge, true))
                .thenAccept(cut -> {
                    if (!cut) {
                        if (!record.connection.ended()) {
                            gaveUp.add(record);
                            if (record.connection.ended()) {
                                gaveUp.remove(record); // ended meanwhile: ended() may have looked first
                            }
                        }
                        return;
                    }
                    audit.event("connection.cut")
                            .reason(reason.name())
                            .connection(record.connection)
                            .write();
                    if (reason == CrlReasons.CUT_OCSP_REVOKED) {
                        metrics.ocspLiveDisconnect();
                    } else if (reason == CrlReasons.CUT_DENIED) {
                        metrics.deniedDisconnect();
                    } else {
                        metrics.liveDisconnect();
                    }
                    log.warn(
                            "crl-extension: disconnected {}: {}{}",
                            record.connection.describe(),
                            detail,
                            purge ? "; its session is removed" : "");
                });
    }

    /**
     * Refreshes the OCSP answers of connected clients that expire within
     * {@code refresh-before-expiry-seconds} and cuts a client whose certificate (or a CA on its
     * path) OCSP now says is revoked. Visits only the connections due now: each is put back under the
     * second its earliest answer enters the refresh window (at least a second ahead, and
     * {@link #OCSP_RETRY} ahead when an answer is missing). With {@link #OCSP_REFRESHES_IN_FLIGHT}
     * refreshes waiting on responders, the rest of the due connections wait until half of those are
     * answered (see {@link #whenOcspRoom}) or the next second. Runs on one thread at a time.
     */
    public void ocspSweep() {
        final CrlRuntime current = runtime.get();
        final OcspStatuses ocsp = current.ocsp();
        if (ocsp == null) {
            ocspScheduled = null;
            ocspDue.clear();
            return;
        }
        final Instant now = clock.instant();
        final long second = now.getEpochSecond();
        if (ocspScheduled != ocsp || ocspAuthorities != current.authorities()) {
            // OCSP was turned on, or a reload changed it (its answers start afresh) or the CAs: every
            // connection is due.
            ocspScheduled = ocsp;
            ocspAuthorities = current.authorities();
            ocspDue.clear();
            forEach(record -> schedule(record, second));
        }
        final Duration within = current.config().ocsp().refreshBeforeExpiry();
        final long retry = second + OCSP_RETRY.getSeconds();
        for (final Long dueSecond :
                new ArrayList<>(ocspDue.headMap(second, true).keySet())) {
            final Set<Live> due = ocspDue.remove(dueSecond);
            if (due == null) {
                continue;
            }
            for (final Iterator<Live> records = due.iterator(); records.hasNext(); ) {
                if (ocspInFlight.get() >= OCSP_REFRESHES_IN_FLIGHT) {
                    // The responders are busy with as many refreshes as the sweep allows: the rest stay
                    // due (under their own second, so they come first) until answers make room.
                    ocspDue.merge(dueSecond, due, (later, rest) -> {
                        later.addAll(rest);
                        return later;
                    });
                    ocspHeldBack.set(true);
                    // The answers may all have come back since the check: then nobody else would call.
                    roomMade(ocspInFlight.get());
                    return;
                }
                final Live record = records.next();
                records.remove();
                record.ocspDueSecond = UNSCHEDULED;
                if (record.connection.ended()) {
                    continue;
                }
                if (record.connection.cutPending()) {
                    // Looked at again while it stays connected: a cut that gives up is made again.
                    schedule(record, retry);
                    continue;
                }
                long next = retry;
                try {
                    next = ocspCheck(record, current, ocsp, within, now);
                } catch (final RuntimeException e) {
                    // One connection's check must not end the sweep, nor the periodic task that runs it.
                    log.warn("crl-extension: OCSP check of {} failed: {}", record.connection.describe(), e.toString());
                }
                schedule(record, Math.max(next, second + 1));
            }
        }
    }

    /**
     * Cuts the connections below {@code certificate}, which a verified OCSP answer has just said is
     * revoked (an answer any CONNECT or refresh fetched): the ones presenting it, or every one whose
     * path has it when it is a configured CA. Without this, the others would learn it only when their
     * own answers fall due. Call from the sweep thread.
     */
    public void ocspRevoked(final @NotNull X509Certificate certificate) {
        final CrlRuntime current = runtime.get();
        final OcspStatuses ocsp = current.ocsp();
        if (ocsp == null) {
            return;
        }
        final java.util.function.Consumer<Live> recheck = record -> {
            if (record.connection.ended() || record.connection.cutPending()) {
                return;
            }
            try {
                for (final OcspChecks.Issued issued : OcspChecks.of(record.path(current.authorities()))) {
                    if (issued.certificate.equals(certificate)) {
                        revokedByOcsp(record, issued);
                        return;
                    }
                }
            } catch (final RuntimeException e) {
                log.warn("crl-extension: OCSP check of {} failed: {}", record.connection.describe(), e.toString());
            }
        };
        boolean authority = false;
        for (final Authority configured : current.authorities().all()) {
            authority |= configured.certificate().equals(certificate);
        }
        if (authority) {
            forEach(recheck);
            return;
        }
        final Object held = bySerial.get(certificate.getSerialNumber());
        if (held instanceof Live) {
            recheck.accept((Live) held);
        } else if (held != null) {
            for (final Live one : (Live[]) held) {
                recheck.accept(one);
            }
        }
    }

    /** Checks one connection's answers, asks again for the ones about to expire; returns the second to look again. */
    private long ocspCheck(
            final Live record,
            final CrlRuntime current,
            final OcspStatuses ocsp,
            final Duration within,
            final Instant now) {
        long next = Long.MAX_VALUE;
        for (final OcspChecks.Issued issued : OcspChecks.of(record.path(current.authorities()))) {
            final OcspAnswer cached = ocsp.cached(issued);
            if (cached != null && cached.revoked()) {
                revokedByOcsp(record, issued);
                return now.plus(OCSP_RETRY).getEpochSecond();
            }
            final CompletableFuture<OcspAnswer> refreshed = ocsp.refreshIfExpiring(issued, within);
            if (refreshed != null) {
                ocspInFlight.incrementAndGet();
                refreshed.whenComplete((answer, failure) -> roomMade(ocspInFlight.decrementAndGet()));
                refreshed.thenAccept(answer -> {
                    if (answer.revoked()) {
                        revokedByOcsp(record, issued);
                    }
                });
            }
            next = Math.min(
                    next,
                    cached == null
                            ? now.plus(OCSP_RETRY).getEpochSecond()
                            // Within the window a refresh is under way: look again for its answer.
                            : cached.usableUntil().minus(within).getEpochSecond());
        }
        return next;
    }

    /**
     * Has the sweep run again once half the cap is free after it held refreshes back, so a wave of due
     * answers goes at the pace the responders answer (64 at a time), not 64 a second.
     */
    private void roomMade(final int inFlight) {
        if (inFlight <= OCSP_REFRESHES_IN_FLIGHT / 2 && ocspHeldBack.compareAndSet(true, false)) {
            ocspRoom.run();
        }
    }

    /**
     * Tells the sweep how to have itself run again when refreshes it held back for the cap can go:
     * {@code again} must queue {@link #ocspSweep} on the sweep's thread, not run it in place.
     */
    public void whenOcspRoom(final @NotNull Runnable again) {
        this.ocspRoom = again;
    }

    private void schedule(final Live record, final long second) {
        if (second == Long.MAX_VALUE) {
            return;
        }
        record.ocspDueSecond = second;
        ocspDue.compute(second, (key, set) -> {
            final Set<Live> bucket = set == null ? ConcurrentHashMap.newKeySet() : set;
            bucket.add(record);
            return bucket;
        });
        if (record.connection.ended()) {
            // Ended while being scheduled: ended() may have looked before the record was placed.
            unschedule(record);
        }
    }

    private void unschedule(final Live record) {
        final long second = record.ocspDueSecond;
        if (second != UNSCHEDULED) {
            final Set<Live> bucket = ocspDue.get(second);
            if (bucket != null) {
                bucket.remove(record);
            }
        }
    }

    /** Connections waiting for an OCSP refresh (for tests and diagnostics). */
    int ocspScheduled() {
        int count = 0;
        for (final Set<Live> bucket : ocspDue.values()) {
            count += bucket.size();
        }
        return count;
    }

    private void revokedByOcsp(final Live record, final OcspChecks.Issued issued) {
        if (record.connection.ended() || record.connection.cutPending()) {
            return;
        }
        final CrlRuntime current = runtime.get();
        cut(
                record,
                CrlReasons.CUT_OCSP_REVOKED,
                current,
                "OCSP says certificate '"
                        + UntrustedText.escape(
                                issued.certificate.getSubjectX500Principal().getName()) + "' (serial "
                        + issued.certificate.getSerialNumber().toString(16) + ") on its path is revoked",
                true);
    }

    public int tracked() {
        return tracked.get();
    }
}
