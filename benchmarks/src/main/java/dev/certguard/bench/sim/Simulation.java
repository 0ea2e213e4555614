package dev.certguard.bench.sim;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.auth.parameter.TopicPermission;
import com.hivemq.extension.sdk.api.client.parameter.ClientInformation;
import com.hivemq.extension.sdk.api.client.parameter.ClientTlsInformation;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.client.parameter.Listener;
import com.hivemq.extension.sdk.api.events.client.parameters.AuthenticationSuccessfulInput;
import com.hivemq.extension.sdk.api.events.client.parameters.ConnectionStartInput;
import com.hivemq.extension.sdk.api.events.client.parameters.DisconnectEventInput;
import com.hivemq.extension.sdk.api.packets.connect.ConnectPacket;
import com.hivemq.extension.sdk.api.services.builder.TopicPermissionBuilder;
import dev.certguard.acl.auth.AclMetrics;
import dev.certguard.acl.auth.AclRuntime;
import dev.certguard.acl.auth.Grants;
import dev.certguard.acl.config.AclConfig;
import dev.certguard.acl.config.ServiceRule;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.acl.fleet.FleetCensus;
import dev.certguard.acl.live.LiveRights;
import dev.certguard.acl.live.SessionSubscriptions;
import dev.certguard.audit.Audit;
import dev.certguard.bench.micro.LargeCrl;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.config.OcspConfig;
import dev.certguard.crl.deny.DenyList;
import dev.certguard.crl.enforce.CrlRuntime;
import dev.certguard.crl.enforce.LiveRevocation;
import dev.certguard.crl.ocsp.OcspAnswer;
import dev.certguard.crl.ocsp.OcspChecks;
import dev.certguard.crl.ocsp.OcspClient;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.disconnect.config.DisconnectConfig;
import dev.certguard.disconnect.lifetime.DisconnectMetrics;
import dev.certguard.disconnect.lifetime.LifetimePolicy;
import dev.certguard.disconnect.lifetime.LifetimeTracker;
import dev.certguard.pki.CertificateAuthority;
import java.lang.management.ManagementFactory;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The three extensions' per-connection structures (client-id ownership, live revocation, live
 * rights, connection lifetimes) driven through their real lifecycle listeners with hand-written SDK
 * fakes, to fleet sizes one broker process cannot hold here: memory per connection, and the time
 * and allocation of every operation that visits the whole fleet. Each operation runs on the calling
 * thread, the way certguard's own sweep and reload threads run it. Single-threaded.
 */
public final class Simulation {

    /** How many connected devices a CRL update and a deny-list change revoke. */
    private static final int CUT = 1_000;

    private static final int CRL_ENTRIES = 1_000_000;
    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    private Simulation() {}

    /** One measured operation: wall time, bytes allocated, connections it cut or changed. */
    record Operation(String name, double millis, double allocatedMb, long affected) {}

    /** One fleet size's results. */
    record Result(
            int connections,
            double connectMicros,
            double crlBytes,
            double aclBytes,
            double disconnectBytes,
            double fleetAuditBytes,
            double ocspCacheBytes,
            double ocspScheduleBytes,
            double denyIdentityBytes,
            List<Operation> operations,
            double leftAfterAllEndedMb) {

        double certguardBytes() {
            return crlBytes + aclBytes + disconnectBytes;
        }
    }

    public static void main(final String[] args) throws Exception {
        List<Integer> sizes = List.of(10_000, 100_000, 1_000_000);
        Path out = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--sizes" ->
                    sizes = java.util.Arrays.stream(args[++i].split(","))
                            .map(String::trim)
                            .map(Integer::parseInt)
                            .toList();
                case "--out" -> out = Path.of(args[++i]);
                default ->
                    throw new IllegalArgumentException(
                            "unknown option " + args[i] + " (simulate [--sizes 10000,100000,1000000] [--out FILE.md])");
            }
        }
        System.out.println(dev.certguard.crypto.NativeCrypto.install(true));
        final CertificateAuthority ca =
                CertificateAuthority.createRoot("simulation CA", Instant.now().plusSeconds(86400 * 400L));
        // A small round first: class loading, JIT and the JDK's own caches settle outside the measurements.
        System.out.println("warming up with 5,000 connections...");
        simulate(ca, 5_000);
        final List<Result> results = new ArrayList<>();
        for (final int size : sizes) {
            System.out.printf("simulating %,d connections...%n", size);
            final Result result = simulate(ca, size);
            results.add(result);
            System.out.println(report(List.of(result)));
        }
        final String report = report(results);
        System.out.println(report);
        if (out != null) {
            Files.writeString(out, report);
            System.out.println("written to " + out);
        }
    }

    private static Result simulate(final CertificateAuthority ca, final int size) throws Exception {
        SimulatedFleet fleet = SimulatedFleet.of(ca, size);
        final List<X509Certificate> cas = List.of(ca.certificate());
        final SimClock clock = new SimClock();
        final AtomicInteger disconnects = new AtomicInteger();
        final ConnectionCutter.Disconnector hivemq = (clientId, preventWill, code, reason) -> {
            disconnects.incrementAndGet();
            return CompletableFuture.completedFuture(true);
        };
        // Cut connections are confirmed by their end, which never comes here: no recheck runs.
        final ConnectionCutter.Scheduler never = (task, delay) -> {};

        // crl-extension, wired as CrlExtensionMain wires it.
        final ClientIdOwnership crlOwners = new ClientIdOwnership();
        final AtomicReference<CrlRuntime> crlRuntime = new AtomicReference<>(crlRuntime(cas, DenyList.EMPTY));
        final RevocationState state = new RevocationState();
        final LiveRevocation revocation = new LiveRevocation(
                new ConnectionCutter("crl-extension", crlOwners, hivemq, never, Duration.ofSeconds(1), 30),
                crlRuntime::get,
                state::snapshot,
                new CrlMetrics(new MetricRegistry(), clock),
                clock,
                new Audit("crl-extension", clock));

        // acl-extension.
        final ClientIdOwnership aclOwners = ClientIdOwnership.withoutCertificates();
        final AclRuntime aclBefore = AclRuntime.of(aclConfig(true), Simulation::topicPermissions);
        final AtomicReference<AclRuntime> aclRuntime = new AtomicReference<>(aclBefore);
        final LiveRights rights = new LiveRights(
                aclRuntime::get,
                new Grants(),
                new ConnectionCutter("acl-extension", aclOwners, hivemq, never, Duration.ofSeconds(1), 30),
                new NoSessions(),
                new AclMetrics(new MetricRegistry()),
                new Audit("acl-extension", clock));
        // Its fleet audit observes the connections as in the extension (census, shared certificates).
        final FleetAudit fleetAudit = new FleetAudit(
                clock,
                new Audit("acl-extension", clock),
                new FleetCensus(),
                () -> aclRuntime.get().config().fleetAudit(),
                connection -> {});
        final dev.certguard.connection.ConnectionObserver<?> aclObserver = fleetAudit.observing(rights);

        // disconnect-extension (its timer is not started: no lifetime ends during the simulation).
        final ClientIdOwnership disconnectOwners = ClientIdOwnership.withoutCertificates();
        final LifetimeTracker lifetimes = new LifetimeTracker(
                lifetimePolicy(Duration.ofHours(24)),
                new ConnectionCutter(
                        "disconnect-extension", disconnectOwners, hivemq, never, Duration.ofSeconds(1), 30),
                new DisconnectMetrics(new MetricRegistry()),
                false,
                clock,
                () -> System.nanoTime() / 1_000_000,
                new Audit("disconnect-extension", clock));

        final Events events = new Events();
        final long baseline = liveHeap();
        final List<ConnectionListener<?>> crl = new ArrayList<>(size);
        final List<ConnectionListener<?>> acl = new ArrayList<>(size);
        final List<ConnectionListener<?>> disconnect = new ArrayList<>(size);
        final long harness = liveHeap() - baseline; // the three lists' arrays, counted out below
        final Histogram empty = Histogram.now();
        long connectNanos = System.nanoTime();
        for (int i = 0; i < size; i++) {
            events.set(fleet.clientIds[i], fleet.chains[i]);
            crl.add(connect(crlOwners, revocation, events));
        }
        connectNanos = System.nanoTime() - connectNanos;
        final long afterCrl = liveHeap();
        final Histogram crlHistogram = Histogram.now();
        long started = System.nanoTime();
        for (int i = 0; i < size; i++) {
            events.set(fleet.clientIds[i], fleet.chains[i]);
            acl.add(connect(aclOwners, aclObserver, events));
        }
        connectNanos += System.nanoTime() - started;
        final long afterAcl = liveHeap();
        final Histogram aclHistogram = Histogram.now();
        started = System.nanoTime();
        for (int i = 0; i < size; i++) {
            events.set(fleet.clientIds[i], fleet.chains[i]);
            disconnect.add(connect(disconnectOwners, lifetimes, events));
        }
        connectNanos += System.nanoTime() - started;
        final long afterDisconnect = liveHeap();
        final Histogram disconnectHistogram = Histogram.now();
        if (revocation.tracked() != size || rights.tracked() != size || lifetimes.tracked() != size) {
            throw new IllegalStateException("not every connection is tracked: crl " + revocation.tracked() + ", acl "
                    + rights.tracked() + ", disconnect " + lifetimes.tracked() + " of " + size);
        }
        if (disconnects.get() != 0) {
            throw new IllegalStateException(disconnects.get() + " connections were cut at CONNECT");
        }
        // The harness's three lists were sized up front: their arrays are in "harness", not in the growth.
        final double crlBytes = (afterCrl - baseline - harness) / (double) size;
        final double aclBytes = (afterAcl - afterCrl) / (double) size;
        final double disconnectBytes = (afterDisconnect - afterAcl) / (double) size;

        final String histograms = Histogram.table(
                        "crl-extension, classes that grew (" + size + " connections)",
                        crlHistogram.grownSince(empty, 12),
                        size)
                + Histogram.table("acl-extension, classes that grew", aclHistogram.grownSince(crlHistogram, 12), size)
                + Histogram.table(
                        "disconnect-extension, classes that grew",
                        disconnectHistogram.grownSince(aclHistogram, 12),
                        size);
        System.out.println(histograms);
        final List<Operation> operations = new ArrayList<>();
        final CrlVerifier verifier = new CrlVerifier(cas, Duration.ZERO);

        // 1. A CRL update that adds 1,000 connected devices to the 999,000 entries of the CRL in force.
        final byte[][] revoked = new byte[Math.min(CUT, size)][];
        for (int i = 0; i < revoked.length; i++) {
            revoked[i] = fleet.serials[(int) ((long) i * size / revoked.length)];
        }
        revocation.sweep(); // the sweep at start, before any CRL
        final byte[] base =
                LargeCrl.generate(ca, CRL_ENTRIES - revoked.length, 1, 1).der();
        timed(
                operations,
                "first CRL in force (999,000 entries): verify and install",
                () -> state.install(verifier.verify(ParsedCrl.parse(base), "simulation", Instant.now())));
        final int before0 = disconnects.get();
        timedSweep(operations, "first CRL in force: sweep", revocation::sweepCrlChanges);
        affected(operations, disconnects.get() - before0);
        final byte[] first = LargeCrl.generate(ca, CRL_ENTRIES, 1, 2, revoked).der();
        timed(
                operations,
                "CRL update (1,000,000 entries): verify and install",
                () -> state.install(verifier.verify(ParsedCrl.parse(first), "simulation", Instant.now())));
        final int before = disconnects.get();
        timedSweep(operations, "CRL update: sweep, 1,000 connected newly revoked", revocation::sweepCrlChanges);
        affected(operations, disconnects.get() - before);

        // 2. The usual refresh: a new CRL number, nobody connected newly revoked.
        final byte[] second = LargeCrl.generate(ca, CRL_ENTRIES, 1, 3, revoked).der();
        state.install(verifier.verify(ParsedCrl.parse(second), "simulation", Instant.now()));
        final int before2 = disconnects.get();
        timedSweep(operations, "CRL update: sweep, nobody newly revoked", revocation::sweepCrlChanges);
        affected(operations, disconnects.get() - before2);
        timedSweep(
                operations,
                "every connection checked against all in force (a crl-extension reload)",
                revocation::sweep);

        // 2b. A CA that publishes deltas (AD CS, EJBCA): a base naming its deltas, then a daily delta
        // revoking 1,000 other connected devices, then a big one of 100,000 entries.
        final byte[][] deltaRevoked = new byte[revoked.length][];
        for (int i = 0; i < deltaRevoked.length; i++) {
            // Two devices after each revoked one: connected, and not the ones the deny list names below.
            deltaRevoked[i] = fleet.serials[((int) ((long) i * size / revoked.length) + 2) % size];
        }
        final String deltas = "http://pki.example.com/CertEnroll/sim+.crl";
        final byte[] namingBase = LargeCrl.generate(ca, CRL_ENTRIES, 1, 4, revoked, null, 0, deltas)
                .der();
        state.install(verifier.verify(ParsedCrl.parse(namingBase), "simulation", Instant.now()));
        revocation.sweepCrlChanges();
        final byte[] smallDelta = LargeCrl.generate(ca, deltaRevoked.length, 7, 5, deltaRevoked, null, 4, null)
                .der();
        timed(
                operations,
                "delta CRL (1,000 entries): verify and install",
                () -> state.install(verifier.verify(ParsedCrl.parse(smallDelta), "simulation", Instant.now())));
        final int beforeDelta = disconnects.get();
        timedSweep(operations, "delta CRL: sweep, 1,000 connected newly revoked", revocation::sweepCrlChanges);
        affected(operations, disconnects.get() - beforeDelta);
        final byte[] bigDelta = LargeCrl.generate(ca, 100_000, 8, 6, deltaRevoked, null, 4, null)
                .der();
        timed(
                operations,
                "delta CRL (100,000 entries): verify and install",
                () -> state.install(verifier.verify(ParsedCrl.parse(bigDelta), "simulation", Instant.now())));
        final int beforeBigDelta = disconnects.get();
        timedSweep(operations, "delta CRL: sweep, nobody newly revoked", revocation::sweepCrlChanges);
        affected(operations, disconnects.get() - beforeBigDelta);

        // 3. A deny list naming 1,000 other connected devices by identity (one tenant's worth).
        final List<String> lines = new ArrayList<>();
        for (int i = 0; i < revoked.length; i++) {
            // The device after each revoked one: connected, not yet cut.
            lines.add("identity:" + fleet.clientIds[((int) ((long) i * size / revoked.length) + 1) % size]);
        }
        final DenyList deny = DenyList.parse(lines, "deny-list.txt");
        final long beforeDeny = liveHeap();
        final int before3 = disconnects.get();
        timedSweep(operations, "deny list: 1,000 identities added", () -> {
            crlRuntime.updateAndGet(current -> current.withDenyList(deny));
            revocation.sweepDenyList();
        });
        affected(operations, disconnects.get() - before3);
        timedSweep(operations, "deny list: changed again, nothing new", revocation::sweepDenyList);
        final double denyBytes = (liveHeap() - beforeDeny) / (double) size;

        // 4. An acl-extension reload narrowing a service while the fleet is connected.
        final AclRuntime aclAfter = AclRuntime.of(aclConfig(false), Simulation::topicPermissions);
        aclRuntime.set(aclAfter);
        final AtomicInteger aclCuts = new AtomicInteger();
        timedSweep(
                operations, "acl reload: a service narrowed", () -> aclCuts.set(rights.applied(aclBefore, aclAfter)));
        affected(operations, aclCuts.get());

        // 5. A lifetime policy change: the maximum lifetime shortened from 24 h to 12 h.
        final AtomicInteger earlier = new AtomicInteger();
        timedSweep(
                operations,
                "lifetime policy: max lifetime 24 h -> 12 h",
                () -> earlier.set(lifetimes.reconfigure(lifetimePolicy(Duration.ofHours(12)), false)));
        affected(operations, earlier.get());

        // 6. OCSP turned on: every device's answer asked for once (what its CONNECT check does), then
        // the refresh schedule: a sweep each second, which visits only the connections whose answers fall due.
        final InProcessOcspResponder responder = new InProcessOcspResponder(ca.certificate(), ca.privateKey(), clock);
        final CrlMetrics ocspMetrics = new CrlMetrics(new MetricRegistry(), clock);
        final OcspStatuses ocsp = new OcspStatuses(
                new OcspClient(
                        responder,
                        URI.create("http://ocsp.simulation/"),
                        Duration.ofSeconds(5),
                        Duration.ofHours(1),
                        false,
                        clock),
                2_000_000,
                ocspMetrics,
                clock);
        final Authorities authorities = crlRuntime.get().authorities();
        final X509Certificate[] leaves = fleet.leaves;
        final long beforeAnswers = liveHeap();
        timedSweep(
                operations,
                "OCSP: every device asked once (the CONNECT checks; in-process responder)",
                () -> java.util.stream.IntStream.range(0, size).parallel().forEach(i -> {
                    for (final OcspChecks.Issued issued : OcspChecks.of(authorities.path(leaves[i]))) {
                        if (ocsp.status(issued).join().status() != OcspAnswer.Status.GOOD) {
                            throw new IllegalStateException("no good OCSP answer for device " + i);
                        }
                    }
                }));
        affected(operations, responder.requests());
        final long afterAnswers = liveHeap();
        crlRuntime.set(new CrlRuntime(
                crlConfig(cas, crlRuntime.get().denyList(), ocspConfig()),
                authorities,
                crlRuntime.get().denyList(),
                ocsp));
        final long asked = responder.requests();
        timedSweep(
                operations,
                "OCSP: first sweep after it is turned on (schedules every connection)",
                revocation::ocspSweep);
        affected(operations, responder.requests() - asked);
        final long afterSchedule = liveHeap();
        final int quiet = 10;
        final long quietStart = System.nanoTime();
        final long quietAllocated =
                THREADS.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int tick = 0; tick < quiet; tick++) {
            clock.skip(Duration.ofSeconds(1));
            revocation.ocspSweep();
        }
        operations.add(new Operation(
                "OCSP: a sweep second with no answer due (mean of " + quiet + ")",
                (System.nanoTime() - quietStart) / 1e6 / quiet,
                (THREADS.getThreadAllocatedBytes(Thread.currentThread().getId()) - quietAllocated) / 1e6 / quiet,
                responder.requests() - asked));
        // Every answer falls due in the same second (a responder that signs them all with one nextUpdate)
        // and the responder is slow: the sweep asks for at most its cap of refreshes and leaves the rest
        // due, so that second and the next cost what the cap allows, not what the fleet holds.
        clock.skip(Duration.ofHours(1));
        responder.hold();
        final long beforeWave = responder.requests();
        timedSweep(
                operations,
                "OCSP: the sweep second every answer falls due (a slow responder: refreshes asked up to the cap)",
                revocation::ocspSweep);
        affected(operations, responder.requests() - beforeWave);
        clock.skip(Duration.ofSeconds(1));
        final long beforeBusy = responder.requests();
        timedSweep(
                operations,
                "OCSP: the next second, the responder still busy (nothing more asked)",
                revocation::ocspSweep);
        affected(operations, responder.requests() - beforeBusy);
        responder.timeOutHeld();
        final double ocspCacheBytes = (afterAnswers - beforeAnswers) / (double) size;
        final double ocspScheduleBytes = (afterSchedule - afterAnswers) / (double) size;

        // 6. The whole fleet leaves: what each extension keeps afterwards.
        final long endStart = System.nanoTime();
        for (int i = 0; i < size; i++) {
            events.set(fleet.clientIds[i], fleet.chains[i]);
            crl.get(i).onDisconnect(events.disconnect);
            acl.get(i).onDisconnect(events.disconnect);
            disconnect.get(i).onDisconnect(events.disconnect);
        }
        operations.add(
                new Operation("every connection ends (3 extensions)", (System.nanoTime() - endStart) / 1e6, 0, size));
        crl.clear();
        acl.clear();
        disconnect.clear();
        long kept = 0;
        for (final Histogram.Row row : Histogram.now().grownSince(empty, Integer.MAX_VALUE)) {
            kept += row.bytes();
        }
        final long left = kept;
        final double fleetAuditBytes = fleetAuditBytes(fleet, clock, events);
        final Result result = new Result(
                size,
                connectNanos / 1e3 / size,
                crlBytes,
                aclBytes,
                disconnectBytes,
                fleetAuditBytes,
                ocspCacheBytes,
                ocspScheduleBytes,
                denyBytes,
                operations,
                left / 1e6);
        if (revocation.tracked() != 0 || rights.tracked() != 0 || lifetimes.tracked() != 0) {
            throw new IllegalStateException("records left after every connection ended: crl " + revocation.tracked()
                    + ", acl " + rights.tracked() + ", disconnect " + lifetimes.tracked());
        }
        fleet = null;
        return result;
    }

    /**
     * What acl-extension's fleet audit alone keeps per connection: the whole fleet connected through a
     * connection listener whose observer keeps nothing, then again with the audit observing the same
     * connections; the difference per connection.
     */
    private static double fleetAuditBytes(final SimulatedFleet fleet, final SimClock clock, final Events events)
            throws InterruptedException {
        final dev.certguard.connection.ConnectionObserver<Object> nothing =
                new dev.certguard.connection.ConnectionObserver<>() {
                    @Override
                    public Object authenticated(final dev.certguard.connection.Connection connection) {
                        return Boolean.TRUE;
                    }

                    @Override
                    public void ended(final dev.certguard.connection.Connection connection, final Object record) {}
                };
        final FleetAudit audit = new FleetAudit(
                clock,
                new Audit("acl-extension", clock),
                new FleetCensus(),
                () -> FleetAuditConfig.DEFAULTS,
                connection -> {});
        final int size = fleet.chains.length;
        final long[] retained = new long[2];
        final List<ConnectionListener<?>> listeners = new ArrayList<>(size);
        for (int pass = 0; pass < 2; pass++) {
            final ClientIdOwnership owners = ClientIdOwnership.withoutCertificates();
            final dev.certguard.connection.ConnectionObserver<?> observer =
                    pass == 0 ? nothing : audit.observing(nothing);
            final long before = liveHeap();
            for (int i = 0; i < size; i++) {
                events.set(fleet.clientIds[i], fleet.chains[i]);
                listeners.add(connect(owners, observer, events));
            }
            retained[pass] = liveHeap() - before;
            for (int i = 0; i < size; i++) {
                events.set(fleet.clientIds[i], fleet.chains[i]);
                listeners.get(i).onDisconnect(events.disconnect);
            }
            // Emptied, not dropped: its array stays the same size in both passes' measurements.
            listeners.clear();
        }
        if (audit.connected() != 0) {
            throw new IllegalStateException("the fleet audit still counts " + audit.connected() + " connections");
        }
        return (retained[1] - retained[0]) / (double) size;
    }

    private static ConnectionListener<?> connect(
            final ClientIdOwnership owners,
            final dev.certguard.connection.ConnectionObserver<?> observer,
            final Events events) {
        final ConnectionListener<?> listener = new ConnectionListener<>(owners, observer);
        listener.onMqttConnectionStart(events.start);
        listener.onAuthenticationSuccessful(events.authenticated);
        return listener;
    }

    private interface Timed<T> {
        T run() throws Exception;
    }

    private static <T> T timed(final List<Operation> operations, final String name, final Timed<T> work)
            throws Exception {
        final long thread = Thread.currentThread().getId();
        final long allocated = THREADS.getThreadAllocatedBytes(thread);
        final long start = System.nanoTime();
        final T value = work.run();
        final long nanos = System.nanoTime() - start;
        operations.add(
                new Operation(name, nanos / 1e6, (THREADS.getThreadAllocatedBytes(thread) - allocated) / 1e6, 0));
        return value;
    }

    private static void timedSweep(final List<Operation> operations, final String name, final Runnable work)
            throws Exception {
        timed(operations, name, () -> {
            work.run();
            return null;
        });
    }

    /** Sets how many connections the operation just timed affected. */
    private static void affected(final List<Operation> operations, final long affected) {
        operations.set(operations.size() - 1, withAffected(operations.get(operations.size() - 1), affected));
    }

    private static Operation withAffected(final Operation operation, final long affected) {
        return new Operation(operation.name(), operation.millis(), operation.allocatedMb(), affected);
    }

    private static CrlRuntime crlRuntime(final List<X509Certificate> cas, final DenyList deny) {
        // The path cache CrlExtensionMain sizes for a fleet.
        return new CrlRuntime(crlConfig(cas, deny, OcspConfig.DISABLED), new Authorities(cas, 200_000), deny);
    }

    private static OcspConfig ocspConfig() {
        return new OcspConfig(
                true,
                URI.create("http://ocsp.simulation/"),
                Duration.ofSeconds(5),
                Duration.ofHours(1),
                2_000_000,
                Duration.ofSeconds(60),
                false,
                CrlConfig.WhenUnavailable.REJECT);
    }

    private static CrlConfig crlConfig(final List<X509Certificate> cas, final DenyList deny, final OcspConfig ocsp) {
        return new CrlConfig(
                cas,
                List.of(Path.of("crl.der")),
                List.of(),
                Duration.ofMinutes(5),
                Duration.ofSeconds(5),
                256L << 20,
                CrlConfig.WhenUnavailable.REJECT,
                Duration.ZERO,
                true,
                Map.of(),
                Duration.ofHours(12),
                null,
                deny,
                false,
                ocsp);
    }

    private static AclConfig aclConfig(final boolean bridgeReadsEverything) {
        return new AclConfig(
                false,
                Set.of(),
                List.of(new ServiceRule(
                        "bridge",
                        null,
                        List.of("+/config"),
                        bridgeReadsEverything ? List.of("+/attrs", "+/events") : List.of("+/attrs"),
                        false)));
    }

    private static LifetimePolicy lifetimePolicy(final Duration max) {
        return new LifetimePolicy(new DisconnectConfig(max, 10, true, false, Set.of()), bound -> bound / 2);
    }

    /** HiveMQ's topic-permission builder, which needs a running broker: a proxy that builds nothing. */
    private static TopicPermissionBuilder topicPermissions() {
        final Object[] self = new Object[1];
        self[0] = Proxy.newProxyInstance(
                Simulation.class.getClassLoader(),
                new Class<?>[] {TopicPermissionBuilder.class},
                (proxy, method, args) -> {
                    if (method.getName().equals("build")) {
                        return Proxy.newProxyInstance(
                                Simulation.class.getClassLoader(),
                                new Class<?>[] {TopicPermission.class},
                                (p, m, a) -> m.getName().equals("hashCode") ? System.identityHashCode(p) : null);
                    }
                    return self[0];
                });
        return (TopicPermissionBuilder) self[0];
    }

    /** No stored sessions: the simulation has only connected clients. */
    private static final class NoSessions implements SessionSubscriptions {
        @Override
        public CompletableFuture<Set<String>> of(final String clientId) {
            return CompletableFuture.completedFuture(new HashSet<>());
        }

        @Override
        public CompletableFuture<Void> remove(final String clientId, final Set<String> filters) {
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletableFuture<Void> forEach(final java.util.function.BiConsumer<String, Set<String>> session) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * The lifecycle inputs HiveMQ passes, as one reused set of proxies answering for the connection
     * being simulated: the listeners read what they need during the call and keep none of it.
     */
    private static final class Events {
        private String clientId;
        private X509Certificate[] chain;
        final ConnectionStartInput start;
        final AuthenticationSuccessfulInput authenticated;
        final DisconnectEventInput disconnect;

        Events() {
            final ClientTlsInformation tls = fake(ClientTlsInformation.class, name -> switch (name) {
                case "getClientCertificate" -> Optional.of(chain[0]);
                case "getClientCertificateChain" -> Optional.of(chain);
                default -> null;
            });
            final Listener listener = fake(Listener.class, name -> switch (name) {
                case "getName" -> "tls";
                case "getPort" -> 8883;
                default -> null;
            });
            final ConnectionInformation connection = fake(ConnectionInformation.class, name -> switch (name) {
                case "getClientTlsInformation" -> Optional.of(tls);
                case "getListener" -> Optional.of(listener);
                case "getInetAddress" -> Optional.of(java.net.InetAddress.getLoopbackAddress());
                default -> null;
            });
            final ClientInformation client = fake(ClientInformation.class, name -> clientId);
            final ConnectPacket connect = fake(ConnectPacket.class, name -> switch (name) {
                case "getClientId" -> clientId;
                case "getUserName", "getWillPublish" -> Optional.empty();
                default -> null;
            });
            start = fake(ConnectionStartInput.class, name -> switch (name) {
                case "getConnectPacket" -> connect;
                case "getConnectionInformation" -> connection;
                case "getClientInformation" -> client;
                default -> null;
            });
            authenticated = fake(AuthenticationSuccessfulInput.class, name -> switch (name) {
                case "getConnectionInformation" -> connection;
                case "getClientInformation" -> client;
                default -> null;
            });
            disconnect = fake(DisconnectEventInput.class, name -> switch (name) {
                case "getConnectionInformation" -> connection;
                case "getClientInformation" -> client;
                default -> Optional.empty();
            });
        }

        void set(final String clientId, final X509Certificate[] chain) {
            this.clientId = clientId;
            this.chain = chain;
        }

        @SuppressWarnings("unchecked")
        private static <T> T fake(final Class<T> type, final java.util.function.Function<String, Object> answers) {
            return (T) Proxy.newProxyInstance(
                    Simulation.class.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
                        if (method.getName().equals("hashCode")) {
                            return System.identityHashCode(proxy);
                        }
                        if (method.getName().equals("equals")) {
                            return proxy == args[0];
                        }
                        return answers.apply(method.getName());
                    });
        }
    }

    private static long liveHeap() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            try {
                // Caffeine's maintenance runs on the common pool: let it drop what it still holds.
                Thread.sleep(100);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        final Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    static String report(final List<Result> results) {
        final StringBuilder out = new StringBuilder();
        out.append(
                "| connections | certguard bytes/connection | crl | acl | of which the fleet audit | disconnect | connect (3 extensions) µs"
                        + " | with OCSP on: answer cache | refresh schedule | with identities on the deny list"
                        + " | MB kept after every connection ended (the 1,000,000-entry CRL, the path cache) |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final Result r : results) {
            out.append(String.format(
                    "| %,d | %.0f | %.0f | %.0f | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f |%n",
                    r.connections(),
                    r.certguardBytes(),
                    r.crlBytes(),
                    r.aclBytes(),
                    r.fleetAuditBytes(),
                    r.disconnectBytes(),
                    r.connectMicros(),
                    r.ocspCacheBytes(),
                    r.ocspScheduleBytes(),
                    r.denyIdentityBytes(),
                    r.leftAfterAllEndedMb()));
        }
        out.append("\n| operation |");
        results.forEach(r -> out.append(String.format(" %,d: ms | MB allocated | affected |", r.connections())));
        out.append("\n|---|");
        results.forEach(r -> out.append("---|---|---|"));
        out.append('\n');
        for (int op = 0; op < results.get(0).operations().size(); op++) {
            out.append("| ").append(results.get(0).operations().get(op).name()).append(" |");
            for (final Result r : results) {
                final Operation o = r.operations().get(op);
                out.append(String.format(" %.1f | %.1f | %,d |", o.millis(), o.allocatedMb(), o.affected()));
            }
            out.append('\n');
        }
        return out.toString();
    }
}
