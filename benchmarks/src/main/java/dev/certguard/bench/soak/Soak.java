package dev.certguard.bench.soak;

import dev.certguard.broker.BrokerHome;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.DevPki;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The soak: a fleet with continuous churn against the packaged secure broker in its own process,
 * with revocations in the CRL and on the deny list, a spy trying forbidden operations, and, when
 * switched on, a CRL server that misbehaves, an outage of it, and a SIGKILL restart of the broker.
 * Samples the broker's tracked records, heap, threads and descriptors, and writes
 * {@code samples.csv}, {@code soak.png} and {@code report.md} into the output folder.
 * Run from the repository root after {@code mvn -B -q package -DskipTests}. Not thread-safe: one run.
 */
public final class Soak {

    private static final String CONNECTIONS = "com_hivemq_networking_connections_current";
    private static final String ACL_TRACKED = "dev_certguard_acl_extension_connections_tracked";
    private static final String CRL_TRACKED = "dev_certguard_crl_extension_connections_tracked";
    private static final String DISCONNECT_TRACKED = "dev_certguard_disconnect_extension_connections_tracked";
    private static final String SESSIONS = "com_hivemq_sessions_overall_current";
    private static final String CLIENT_IDS_TRACKED = "dev_certguard_disconnect_extension_client_ids_tracked";

    private final SoakOptions options;
    private final Violations violations = new Violations();
    private final List<Sample> samples = new ArrayList<>();
    private final List<String> events = new ArrayList<>();
    private final List<Double> eventTimes = new ArrayList<>();
    private long startNanos;
    private volatile Instant windowOpenedAt;
    private Fleet fleet;
    private Spy spy;
    private double lastStartSeconds;
    private int connectedBeforeRestart;
    /** Clients connected when the CRL server went down, until 95% are back after it returns. */
    private int connectedBeforeOutage;

    private Instant strictFrom;
    private Instant backAt;

    private Soak(final SoakOptions options) {
        this.options = options;
    }

    public static void main(final String[] args) throws Exception {
        final SoakOptions options;
        try {
            options = SoakOptions.parse(args);
        } catch (final IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        final SoakResult result = run(options);
        System.out.println(result.summary());
        System.exit(result.passed() ? 0 : 1);
    }

    /** Runs one soak and returns its figures (the report files are written too). */
    public static SoakResult run(final SoakOptions options) throws Exception {
        return new Soak(options).execute();
    }

    private SoakResult execute() throws Exception {
        final Path out = options.out().toAbsolutePath();
        BrokerHome.deleteRecursively(out);
        Files.createDirectories(out);
        pinDriver();
        log("issuing " + options.devices() + " device certificates");
        final DevPki pki = new DevPki(out.resolve("pki"));
        pki.init("certguard soak CA", Duration.ofDays(8), DevPki.LOCAL_HOSTS, false);
        final CertificateAuthority ca = pki.authority();
        final List<Member> devices = new ArrayList<>();
        for (int i = 0; i < options.devices(); i++) {
            devices.add(Member.issue(ca, "soak:d" + i));
        }
        final Member v2k = Member.issue(ca, Fleet.V2K);
        final Member k2v = Member.issue(ca, Fleet.K2V);
        final Path denyList = out.resolve("deny-list.txt");
        Files.writeString(denyList, "# soak deny list\n");

        try (ChaosCrlServer crl = new ChaosCrlServer(
                        ca,
                        Duration.ofSeconds(options.crlValiditySeconds()),
                        Duration.ofSeconds(options.httpTimeoutSeconds() + 2L));
                SoakBroker broker =
                        SoakBroker.prepare(options.repo().toAbsolutePath(), out, pki, crl.url(), denyList, options)) {
            broker.start();
            log("broker up on port " + broker.port() + " (pid " + broker.pid() + ")");
            fleet = new Fleet("localhost", broker.port(), ca, devices, v2k, k2v, violations, crl::firstServed);
            spy = new Spy("localhost", broker.port(), fleet, violations, this::inForce);
            fleet.start(100);
            awaitConnected(fleet, devices.size() + 2, Duration.ofSeconds(120));
            log(fleet.connected() + " clients connected; soak starts");
            crl.badShare(options.chaosShare());
            startNanos = System.nanoTime();
            final ScheduledExecutorService driver = Executors.newScheduledThreadPool(2, r -> {
                final Thread thread = new Thread(r, "soak-driver");
                thread.setDaemon(true);
                return thread;
            });
            final int ticksPerPeriod = options.publishEverySeconds() * 10;
            final long[] tick = {0};
            driver.scheduleAtFixedRate(
                    () -> guard(() -> {
                        fleet.publishTick(tick[0]++, ticksPerPeriod);
                        if (tick[0] % Math.max(1, 1000 / Math.max(1, options.devices())) == 0) {
                            fleet.configTick();
                        }
                    }),
                    0,
                    100,
                    TimeUnit.MILLISECONDS);
            driver.scheduleAtFixedRate(
                    () -> guard(() -> {
                        spy.attempt();
                        spy.probeRemoved();
                        closeWindowWhenServed(crl);
                    }),
                    1,
                    1,
                    TimeUnit.SECONDS);
            // A removal falls due on its schedule and is made as soon as a connected device can take it:
            // while the outage or the restart has the whole fleet out, it waits instead of being lost.
            final AtomicInteger revocationsDue = new AtomicInteger();
            final AtomicInteger denialsDue = new AtomicInteger();
            driver.scheduleAtFixedRate(
                    revocationsDue::incrementAndGet,
                    options.revokeEverySeconds(),
                    options.revokeEverySeconds(),
                    TimeUnit.SECONDS);
            driver.scheduleAtFixedRate(
                    denialsDue::incrementAndGet,
                    options.denyEverySeconds() / 2 + 1,
                    options.denyEverySeconds(),
                    TimeUnit.SECONDS);
            driver.scheduleWithFixedDelay(
                    () -> guard(() -> {
                        if (revocationsDue.get() > 0 && revoke(fleet, crl)) {
                            revocationsDue.decrementAndGet();
                        }
                        if (denialsDue.get() > 0 && deny(fleet, denyList)) {
                            denialsDue.decrementAndGet();
                        }
                    }),
                    1,
                    1,
                    TimeUnit.SECONDS);

            // The main thread keeps the timeline: samples, the CRL outage, the restart.
            try {
                timeline(broker, crl);
                awaitDueRemovals(revocationsDue, denialsDue);
            } finally {
                driver.shutdownNow();
                driver.awaitTermination(10, TimeUnit.SECONDS);
            }
            if (!crl.isUp()) {
                crl.start();
            }
            crl.badShare(0);
            log("load stopped; waiting for the last removals to take effect and messages to arrive");
            awaitEffects(fleet, Duration.ofSeconds(options.refreshSeconds() * 3L + 15));
            Thread.sleep(5000);
            final long[] missed = fleet.missed();
            final Sample afterLoad = sample(broker, fleet, crl, true);
            print(afterLoad);
            fleet.stop();
            final Sample drained = awaitDrained(broker, fleet, crl);
            final List<String> errors = broker.errorLines();
            broker.keepLogs(out);
            final AuditTrail audit = AuditTrail.read(out.resolve("certguard-audit.log"));
            audit.judge(fleet.removed(), this::inForce, violations);
            SlowCuts.attribute(out.resolve("broker-stdout.log"), fleet.removed());
            if (strictFrom != null && backAt != null) {
                final long accepted = audit.acceptedBetween(strictFrom, backAt);
                if (accepted > 0) {
                    violations.unchecked(accepted + " CONNECTs accepted between " + strictFrom + " and " + backAt
                            + ", when no CRL was usable (when-unavailable=reject)");
                }
            } else if (options.outageAtSeconds() >= 0) {
                violations.driverFailure("the CRL outage did not outlast the last CRL's nextUpdate: when-unavailable"
                        + " was not exercised (make --outage longer than --crl-validity)");
            }
            final SoakResult result = new SoakResult(
                    options,
                    Instant.now(),
                    List.copyOf(samples),
                    afterLoad,
                    drained,
                    violations,
                    fleet,
                    spy,
                    crl.answers(),
                    crl.revocationCount(),
                    missed,
                    errors,
                    List.copyOf(events),
                    broker.starts() - 1,
                    lastStartSeconds);
            SoakReport.write(out, result, eventTimes);
            return result;
        }
    }

    private void restart(final SoakBroker broker, final ChaosCrlServer crl, final Fleet fleet) throws Exception {
        final int before = fleet.connected();
        event("SIGKILL of the broker with " + before + " clients connected");
        openWindow();
        broker.kill();
        // A CRL served in the instant before the kill, but not yet put in use, never was in force: its
        // revocations are due from their next good serve (CRL number N is version N - 1).
        crl.unserveAfter((int) broker.highestCrlNumberInUse() - 1);
        // The first answers after the restart replay an older CRL: the high-water marks must refuse it.
        crl.forceRollbacks(2);
        spy.probeRecentFor(Duration.ofSeconds(40));
        final long start = System.nanoTime();
        broker.start();
        lastStartSeconds = elapsed();
        event(String.format(
                "broker restarted in %.1f s (pid %d); next two CRL answers are a rollback",
                (System.nanoTime() - start) / 1e9, broker.pid()));
    }

    private void timeline(final SoakBroker broker, final ChaosCrlServer crl) throws Exception {
        long nextSample = 0;
        long nextGc = 0;
        boolean outageDone = options.outageAtSeconds() < 0;
        boolean restartDone = options.restartAtSeconds() < 0;
        while (elapsed() < options.seconds()) {
            final double now = elapsed();
            if (!outageDone && now >= options.outageAtSeconds()) {
                outageDone = true;
                event("CRL server down for " + options.outageSeconds() + " s");
                connectedBeforeOutage = fleet.connected();
                crl.stop();
                openWindow();
                final Instant lastGood = crl.lastGoodNextUpdate();
                if (lastGood != null
                        && lastGood.plusSeconds(2).isBefore(Instant.now().plusSeconds(options.outageSeconds()))) {
                    // From here until the server is back the broker has no usable CRL: it must accept nobody.
                    strictFrom = lastGood.plusSeconds(2);
                    event("the last good CRL passes nextUpdate at " + lastGood
                            + ": from 2 s later until the server is back, every CONNECT must be refused (0x88)");
                }
            }
            if (outageDone && !crl.isUp() && now >= options.outageAtSeconds() + options.outageSeconds()) {
                backAt = Instant.now();
                crl.start();
                openWindow();
                event("CRL server back");
            }
            if (!restartDone && now >= options.restartAtSeconds()) {
                restartDone = true;
                connectedBeforeRestart = fleet.connected();
                restart(broker, crl, fleet);
            }
            if (connectedBeforeRestart > 0 && fleet.connected() >= connectedBeforeRestart * 0.95) {
                event(fleet.connected() + " clients connected again (95% of those before the SIGKILL)");
                connectedBeforeRestart = 0;
            }
            if (backAt != null && connectedBeforeOutage > 0 && fleet.connected() >= connectedBeforeOutage * 0.95) {
                event(fleet.connected() + " clients connected again (95% of those before the CRL outage)");
                connectedBeforeOutage = 0;
            }
            if (now >= nextSample) {
                final boolean gc = now >= nextGc;
                samples.add(sample(broker, fleet, crl, gc));
                nextSample += options.sampleEverySeconds();
                if (gc) {
                    nextGc += options.gcEverySeconds();
                }
                print(samples.get(samples.size() - 1));
            }
            Thread.sleep(200);
        }
    }

    /**
     * Whether the fleet is reconnecting en masse: after the SIGKILL until 95% are back, and from the
     * moment the broker must refuse everyone for lack of a usable CRL until 95% are back after the
     * server returned. HiveMQ's connection gauge then counts hundreds of handshakes and refused
     * CONNECTs that never become connections, so it cannot meet the tracked records.
     */
    private boolean inStorm() {
        return connectedBeforeRestart > 0
                || (connectedBeforeOutage > 0
                        && strictFrom != null
                        && Instant.now().isAfter(strictFrom));
    }

    /** When a removal had to be in force at the latest: its CRL served plus 1 s, a deny-list write plus 3 s. */
    private Instant inForce(final Member member) {
        if (member.removal == Member.Removal.DENIED) {
            return member.removedAt.plusSeconds(3);
        }
        final Instant served = fleet.crlServed(member.crlVersion);
        return served == null ? null : served.plusSeconds(1);
    }

    /** From now until a good CRL has been served after it, 0x88 refusals are expected. */
    private void openWindow() {
        windowOpenedAt = Instant.now();
        fleet.unavailableSince(windowOpenedAt);
    }

    private void closeWindowWhenServed(final ChaosCrlServer crl) {
        final Instant opened = windowOpenedAt;
        final Instant served = crl.lastGoodServedAt();
        if (opened != null
                && crl.isUp()
                && served != null
                && served.isAfter(opened)
                && Instant.now().isAfter(served.plusSeconds(2))) {
            windowOpenedAt = null;
            fleet.unavailableSince(null);
        }
    }

    /**
     * A removal that fell due while the outage or the restart had the fleet out is still owed when the
     * timeline ends: the load goes on (for at most 20 s) until the fleet is back to take it, so a short
     * run whose last minutes are storms does not make fewer removals than it scheduled.
     */
    private void awaitDueRemovals(final AtomicInteger revocationsDue, final AtomicInteger denialsDue)
            throws InterruptedException {
        final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        if (revocationsDue.get() > 0 || denialsDue.get() > 0) {
            event(revocationsDue.get() + " revocations and " + denialsDue.get()
                    + " deny-list entries still due: the load goes on until the fleet takes them");
        }
        while ((revocationsDue.get() > 0 || denialsDue.get() > 0) && System.nanoTime() < until) {
            Thread.sleep(200);
        }
    }

    /** Revokes a connected device's certificate; whether one could be found. */
    private boolean revoke(final Fleet fleet, final ChaosCrlServer crl) {
        final Member member = pick(fleet);
        if (member == null) {
            return false;
        }
        // The CRL is issued first: a member counts as revoked only from the version that carries it.
        synchronized (crl) {
            final int version = crl.nextVersion();
            if (!member.claim(Member.Removal.REVOKED, version)) {
                return false;
            }
            crl.revoke(member.certificate.getSerialNumber());
        }
        fleet.replace(member);
        return true;
    }

    /** Denies a connected device; whether one could be found. */
    private boolean deny(final Fleet fleet, final Path denyList) throws IOException {
        final Member member = pick(fleet);
        if (member == null || !member.claim(Member.Removal.DENIED, -1)) {
            return false;
        }
        final String line =
                ThreadLocalRandom.current().nextBoolean() ? "sha256:" + member.sha256 : "identity:" + member.identity;
        final Path next = denyList.resolveSibling(denyList.getFileName() + ".next");
        Files.writeString(next, Files.readString(denyList) + line + "\n");
        Files.move(next, denyList, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fleet.replace(member);
        return true;
    }

    private static Member pick(final Fleet fleet) {
        final List<Member> devices = fleet.devices();
        for (int attempt = 0; attempt < 100; attempt++) {
            final Member member = devices.get(ThreadLocalRandom.current().nextInt(devices.size()));
            if (!member.removed() && member.connected) {
                return member;
            }
        }
        return null;
    }

    private Sample sample(final SoakBroker broker, final Fleet fleet, final ChaosCrlServer crl, final boolean gc)
            throws Exception {
        final SoakBroker.Heap heap = gc ? broker.retainedHeap() : SoakBroker.Heap.NOT_MEASURED;
        Map<String, Double> values = Map.of();
        boolean agreed = false;
        int scrapes = 0;
        for (int i = 0; i < 200 && !agreed; i++) {
            scrapes++;
            try {
                values = broker.scrape();
            } catch (final IOException e) {
                Thread.sleep(100);
                continue;
            }
            // HiveMQ's gauge also counts TLS handshakes and CONNECTs in progress, so the counts meet only
            // between two CONNECTs; scrapes repeat for up to 10 s. A record that outlives its connection
            // (or a connection no extension tracks) never lets them meet.
            final int tracked = value(values, ACL_TRACKED);
            agreed = tracked == value(values, CRL_TRACKED)
                    && tracked == value(values, DISCONNECT_TRACKED)
                    && tracked == value(values, CONNECTIONS);
            if (!agreed) {
                Thread.sleep(50);
            }
        }
        int entries = -1;
        for (final Map.Entry<String, Double> entry : values.entrySet()) {
            if (entry.getKey().startsWith("dev_certguard_crl_extension_source_")
                    && entry.getKey().endsWith("_entries")) {
                entries = entry.getValue().intValue();
            }
        }
        return new Sample(
                elapsed(),
                clients(),
                value(values, CONNECTIONS),
                value(values, ACL_TRACKED),
                value(values, CRL_TRACKED),
                value(values, DISCONNECT_TRACKED),
                value(values, CLIENT_IDS_TRACKED),
                agreed,
                scrapes,
                inStorm(),
                heap.liveBytes(),
                heap.persistenceCacheBytes(),
                value(values, "jvm_threads_current"),
                broker.fileDescriptors(),
                broker.errorLines().size(),
                entries,
                crl.revocationCount(),
                cpuSeconds(broker.pid()),
                cpuSeconds(ProcessHandle.current().pid()),
                value(values, SESSIONS));
    }

    private int clients() {
        return fleet.connected() + spy.open();
    }

    private Sample awaitDrained(final SoakBroker broker, final Fleet fleet, final ChaosCrlServer crl) throws Exception {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        Sample last = sample(broker, fleet, crl, false);
        while (System.nanoTime() < deadline
                && (last.connections() != 0
                        || last.aclTracked() != 0
                        || last.crlTracked() != 0
                        || last.disconnectTracked() != 0
                        || last.clientIdsTracked() != 0)) {
            Thread.sleep(500);
            last = sample(broker, fleet, crl, false);
        }
        return last;
    }

    private static void awaitConnected(final Fleet fleet, final int n, final Duration timeout)
            throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (fleet.connected() < n && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
    }

    private static void awaitEffects(final Fleet fleet, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline && fleet.removed().stream().anyMatch(m -> m.effectAt == null)) {
            Thread.sleep(200);
        }
    }

    private static int value(final Map<String, Double> values, final String name) {
        final Double value = values.get(name);
        return value == null ? -1 : value.intValue();
    }

    /** Broker CPU (user + system) so far, from {@code /proc/<pid>/stat}. */
    private static double cpuSeconds(final long pid) {
        try {
            final String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / 100.0;
        } catch (final IOException | RuntimeException gone) {
            return Double.NaN;
        }
    }

    /** Keeps the driver (clients, CRL server) off the broker's core when there are two. */
    private void pinDriver() {
        if (!options.pin() || Runtime.getRuntime().availableProcessors() < 2) {
            return;
        }
        try {
            new ProcessBuilder(
                            "taskset",
                            "-a",
                            "-p",
                            "-c",
                            "1",
                            String.valueOf(ProcessHandle.current().pid()))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start()
                    .waitFor(10, TimeUnit.SECONDS);
        } catch (final IOException | InterruptedException e) {
            log("cannot pin the driver to core 1: " + e.getMessage());
        }
    }

    private double elapsed() {
        return startNanos == 0 ? 0 : (System.nanoTime() - startNanos) / 1e9;
    }

    private synchronized void event(final String what) {
        events.add(String.format("%6.1f s  %s", elapsed(), what));
        eventTimes.add(elapsed());
        log(what);
    }

    private void print(final Sample s) {
        log(String.format(
                "t=%5.0f s  connected %4d (driver %4d)  tracked acl/crl/disconnect %d/%d/%d %s  heap %s  threads %d"
                        + "  fds %d  errors %d  revocations %d",
                s.seconds(),
                s.connections(),
                s.driverConnected(),
                s.aclTracked(),
                s.crlTracked(),
                s.disconnectTracked(),
                s.agreed() ? "agree" : "DIFFER",
                Double.isNaN(s.heapAfterGcBytes())
                        ? "-"
                        : String.format(
                                "%.1f MB (%.1f MB page cache)",
                                s.heapAfterGcBytes() / 1048576.0, s.persistenceCacheBytes() / 1048576.0),
                s.threads(),
                s.fileDescriptors(),
                s.errorLines(),
                s.revocations()));
    }

    private static void log(final String line) {
        System.out.println(java.time.LocalTime.now().withNano(0) + " soak: " + line);
    }

    private interface Step {
        void run() throws Exception;
    }

    private void guard(final Step step) {
        try {
            step.run();
        } catch (final Exception | Error e) {
            violations.driverFailure("driver step failed: " + e);
        }
    }
}
