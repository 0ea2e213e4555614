package dev.certguard.bench.load;

import com.hivemq.client.mqtt.mqtt5.Mqtt5AsyncClient;
import com.hivemq.client.mqtt.mqtt5.Mqtt5Client;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5DisconnectException;
import dev.certguard.bench.micro.LargeCrl;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.PemFiles;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fleet of N devices with distinct certificates held connected to one broker, N stepped up to
 * this machine's open-file limit: the broker pinned to core 0, the load (Python asyncio over
 * OpenSSL, several processes, connections spread over 127.0.0.x source addresses) pinned to core 1.
 * For each broker and N: the ramp, heap and RSS per connection (and certguard's share of the class
 * histogram), idle CPU with the fleet connected and pinging; for certguard the revocation of 1,000
 * connected devices by a 1,000,000-entry CRL (time to the last cut), a deny list naming one tenant's
 * devices and the tenant's return once it is emptied, an acl-extension reload narrowing a connected
 * service, and with OCSP on ({@code certguard-ocsp}) the refreshes the sweep makes and the cache's
 * hits; then restarts with the whole fleet reconnecting at once, with the broker's CPU by thread.
 * Not thread-safe; one run at a time.
 */
public final class ScaleBenchmark {

    private static final Pattern JSON_NUMBER = Pattern.compile("\"(\\w+)\": (-?[0-9.eE+-]+|null)");
    private static final double TICKS_PER_SECOND = 100.0;
    private static final int REVOKED = 1_000;
    /** Devices belong to this many tenants, device i to tenant i % TENANTS. */
    static final int TENANTS = 20;
    /** The tenant the deny list names. */
    private static final int DENIED_TENANT = 7;

    private static final String BRIDGE = "v2k-bridge";
    private static final String METRICS = "http://127.0.0.1:9399/metrics";

    /** One broker at one fleet size. */
    record Step(
            String broker,
            int devices,
            int connected,
            int failed,
            double rampSeconds,
            double rampP99Ms,
            double rampBrokerCpuMsPerConnect,
            double brokerBusyPercent,
            double heapBytesPerConnection,
            double rssBytesPerConnection,
            double certguardBytesPerConnection,
            double idleCpuPercent,
            double revocationSeconds,
            double revocationCpuSeconds,
            int revocationCuts,
            int wrongCuts,
            LiveOps live,
            List<Storm> storms) {}

    /** One restart of the broker with the whole fleet reconnecting at once. */
    record Storm(
            double[] seconds, int back, int expected, int refused, double p99Ms, Map<String, Double> threadSeconds) {}

    /**
     * certguard's operations on the connected fleet: a deny list naming one tenant's devices, an
     * acl-extension reload narrowing a connected service, and with OCSP on the refreshes its sweep
     * makes and the cache's hits when the denied tenant comes back.
     */
    record LiveOps(
            int tenantDevices,
            int denyCuts,
            double denySeconds,
            double denyCpuSeconds,
            int denyWrong,
            int tenantBack,
            double tenantBackSeconds,
            double aclSeconds,
            double aclCpuSeconds,
            int aclReasonCode,
            int aclWrong,
            double ocspRequestsPerSecond,
            double ocspWindowCpuPercent,
            double ocspRampRequests,
            double ocspHitRate) {
        static final LiveOps NONE = new LiveOps(
                0,
                0,
                Double.NaN,
                Double.NaN,
                0,
                0,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                0,
                0,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                Double.NaN);
    }

    private final List<Integer> sizes;
    private final List<String> brokers;
    private final int processes;
    private final int crlEntries;
    private final Path out;
    private final int restarts;

    private ScaleBenchmark(final Map<String, String> options) {
        sizes = parse(options.getOrDefault("sizes", "5000,10000,18000"));
        brokers = List.of(options.getOrDefault("brokers", "certguard,allow-all").split(","));
        processes = Integer.parseInt(options.getOrDefault("processes", "4"));
        crlEntries = Integer.parseInt(options.getOrDefault("crl-entries", "1000000"));
        out = Path.of(options.getOrDefault("out", "/tmp/certguard-scale")).toAbsolutePath();
        restarts = Integer.parseInt(options.getOrDefault("restarts", "1"));
    }

    private static List<Integer> parse(final String list) {
        final List<Integer> values = new ArrayList<>();
        for (final String value : list.split(",")) {
            values.add(Integer.parseInt(value.trim()));
        }
        return values;
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(
                        "usage: scale [--sizes 5000,10000,18000] [--brokers certguard,allow-all]"
                                + " [--processes P] [--crl-entries E] [--restarts R] [--out DIR]");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        new ScaleBenchmark(options).run();
    }

    void run() throws Exception {
        final int largest = Collections.max(sizes);
        final BenchBrokers setup = BenchBrokers.prepare(out, crlEntries - REVOKED);
        final Path script = out.resolve("scale-load.py");
        try (InputStream in = ScaleBenchmark.class.getResourceAsStream("scale-load.py")) {
            Files.write(script, in.readAllBytes());
        }
        // The CRL is re-read every 5 s, so a revocation reaches the broker within 5 s of its publication;
        // a deny list (empty until the deny step); OCSP answers used for 120 s and fetched again for
        // connected clients 60 s before they expire, so the sweep's refreshes show within one step.
        Files.copy(out.resolve("crl.der"), out.resolve("crl-in-use.der"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(denyList(), "");
        for (final String home : List.of("secure-home", "secure-ocsp-home")) {
            final Path crlConfig = out.resolve(home).resolve("extensions/crl-extension/conf/config.xml");
            Files.writeString(
                    crlConfig,
                    Files.readString(crlConfig)
                            .replace(
                                    out.resolve("crl.der").toString(),
                                    out.resolve("crl-in-use.der").toString())
                            .replace(
                                    "</crl-sources>",
                                    "</crl-sources>\n    <refresh-interval-seconds>5</refresh-interval-seconds>"
                                            + "\n    <deny-list>" + denyList() + "</deny-list>")
                            .replace("<cache-seconds>3600</cache-seconds>", "<cache-seconds>120</cache-seconds>"));
        }
        System.out.printf("issuing %,d device certificates...%n", largest);
        final Fleet fleet = Fleet.issue(setup.ca(), out.resolve("fleet"), largest);
        final X509Certificate[] bridgeCertificate = new X509Certificate[1];
        final Device bridge = Device.issue(setup.ca(), BRIDGE, issued -> bridgeCertificate[0] = issued);
        // The OCSP responder answers for the bridge too (it reads every .crt of the fleet's folder).
        PemFiles.writeCertificates(fleet.dir().resolve("bridge.crt"), true, bridgeCertificate[0]);
        final Map<String, List<String>> commands = setup.commands(BenchBrokers.currentJava());
        final String stem = "scale-" + java.time.LocalDate.now();
        final List<Step> steps = new ArrayList<>();
        for (final int size : sizes) {
            for (final String broker : brokers) {
                final List<String> command = commands.get(broker);
                if (command == null) {
                    throw new IllegalArgumentException("unknown broker " + broker + "; known: " + commands.keySet());
                }
                // Every step starts from the CRL without the 1,000 devices on it, on a fresh node: the last
                // step's data folder holds the high-water mark of its newer CRL, which would (rightly)
                // refuse this older one as a rollback.
                Files.copy(out.resolve("crl.der"), out.resolve("crl-in-use.der"), StandardCopyOption.REPLACE_EXISTING);
                for (final String home : List.of("secure-home", "secure-ocsp-home")) {
                    dev.certguard.broker.BrokerHome.deleteRecursively(
                            out.resolve(home).resolve("data"));
                }
                final Process responder = broker.startsWith(BenchBrokers.SECURE + "-ocsp")
                        ? setup.startOcspResponder(List.of(fleet.dir()))
                        : null;
                try {
                    steps.add(measure(broker, command, size, setup, script, fleet, bridge));
                } finally {
                    if (responder != null) {
                        responder.destroy();
                        responder.waitFor();
                    }
                }
                Files.writeString(out.resolve(stem + ".md"), report(steps));
            }
        }
        final String report = report(steps);
        Files.writeString(out.resolve(stem + ".md"), report);
        chart(steps, out.resolve(stem + ".png"));
        System.out.println(report);
        System.out.println("written to " + out.resolve(stem + ".md") + " and " + out.resolve(stem + ".png"));
    }

    private Path denyList() {
        return out.resolve("deny-list.txt");
    }

    private Path aclConfig(final String broker) {
        return out.resolve(broker.startsWith(BenchBrokers.SECURE + "-ocsp") ? "secure-ocsp-home" : "secure-home")
                .resolve("extensions/acl-extension/conf/config.xml");
    }

    /** The fleet's credentials: one shared key, a certificate and identity per device. */
    record Fleet(Path dir, Path key, BigInteger[] serials) {
        static Fleet issue(final CertificateAuthority ca, final Path dir, final int count) throws Exception {
            Files.createDirectories(dir);
            final KeyPair keys = CertificateAuthority.newKeyPair();
            PemFiles.writePrivateKey(dir.resolve("device.key"), true, keys.getPrivate());
            final BigInteger[] serials = new BigInteger[count];
            final Instant now = Instant.now();
            java.util.stream.IntStream.range(0, count).parallel().forEach(i -> {
                final String identity = identity(i);
                final X509Certificate certificate = ca.issue(
                        identity,
                        keys.getPublic(),
                        now.minusSeconds(60),
                        now.plus(Duration.ofDays(1)),
                        CertificateAuthority.Purpose.CLIENT,
                        List.of());
                serials[i] = certificate.getSerialNumber();
                try {
                    PemFiles.writeCertificates(dir.resolve(i + ".crt"), true, certificate);
                    Files.writeString(dir.resolve(i + ".id"), identity);
                } catch (final IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            return new Fleet(dir, dir.resolve("device.key"), serials);
        }

        /** Device i's identity: tenant {@code t<i % TENANTS>}. */
        static String identity(final int i) {
            return String.format(Locale.ROOT, "t%02d:d%05d", i % TENANTS, i);
        }
    }

    /** One load process: its JSON lines, and a way to tell it what to do. */
    private static final class Load {
        final Process process;
        final BufferedWriter input;
        final List<Map<String, Double>> ramp = new CopyOnWriteArrayList<>();
        final Map<Integer, Double> closed = new ConcurrentHashMap<>();
        final List<double[]> back = new CopyOnWriteArrayList<>();
        final AtomicInteger refused = new AtomicInteger();

        Load(final Process process) {
            this.process = process;
            this.input = new BufferedWriter(new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
            final Thread reader = new Thread(this::read, "scale-load-reader");
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            try (BufferedReader lines =
                    new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    if (!line.startsWith("{")) {
                        System.out.println("  load: " + line);
                        continue;
                    }
                    final Map<String, Double> values = new LinkedHashMap<>();
                    final Matcher matcher = JSON_NUMBER.matcher(line);
                    while (matcher.find()) {
                        values.put(
                                matcher.group(1),
                                matcher.group(2).equals("null") ? null : Double.parseDouble(matcher.group(2)));
                    }
                    if (values.containsKey("ramp")) {
                        ramp.add(values);
                        if (values.get("failed") > 0) {
                            System.out.println("  load: " + line);
                        }
                    } else if (values.containsKey("closed")) {
                        closed.put(values.get("closed").intValue(), values.get("at"));
                    } else if (values.containsKey("back")) {
                        back.add(new double[] {values.get("at"), values.get("latency_ms"), values.get("back")});
                    } else if (values.containsKey("refused")) {
                        refused.incrementAndGet();
                    }
                }
            } catch (final IOException e) {
                // the process ended
            }
        }

        void tell(final String command) throws IOException {
            input.write(command + "\n");
            input.flush();
        }
    }

    private Step measure(
            final String broker,
            final List<String> command,
            final int size,
            final BenchBrokers setup,
            final Path script,
            final Fleet fleet,
            final Device bridge)
            throws Exception {
        System.out.printf("%n=== %s, %,d devices ===%n", broker, size);
        final int port = setup.port();
        Process process = start(broker, command, size, 0);
        final List<Load> loads = new ArrayList<>();
        try {
            BenchBrokers.awaitPort(port, process, Duration.ofSeconds(120));
            Thread.sleep(3000);
            final long heapBefore = liveHeap(command.get(0), process.pid());
            final long rssBefore = rss(process.pid());
            final long certguardBefore = certguardHeap(command.get(0), process.pid());

            // The ramp: every device connects, the load's processes sharing core 1.
            final int share = (size + processes - 1) / processes;
            for (int p = 0; p < processes; p++) {
                final int first = p * share;
                final int count = Math.min(share, size - first);
                loads.add(new Load(new ProcessBuilder(
                                "taskset",
                                "-c",
                                "1",
                                "python3",
                                script.toString(),
                                "127.0.0.1",
                                String.valueOf(port),
                                setup.pki().caCertificate().toAbsolutePath().toString(),
                                fleet.key().toString(),
                                fleet.dir().toString(),
                                String.valueOf(first),
                                String.valueOf(count),
                                "127.0." + (p + 1),
                                "64",
                                "60")
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start()));
            }
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
            final long brokerRampTicks = ConnectBenchmark.cpuTicks(process.pid());
            long loadTicks = 0;
            while (loads.stream().anyMatch(l -> l.ramp.isEmpty()) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            for (final Load load : loads) {
                loadTicks += ConnectBenchmark.cpuTicks(load.process.pid());
            }
            final double brokerRampCpu =
                    (ConnectBenchmark.cpuTicks(process.pid()) - brokerRampTicks) / TICKS_PER_SECOND;
            double ramp = 0;
            double p99 = 0;
            int connected = 0;
            int failed = 0;
            for (final Load load : loads) {
                final Map<String, Double> r = load.ramp.get(0);
                ramp = Math.max(ramp, r.get("ramp"));
                p99 = Math.max(p99, r.get("p99_ms") == null ? 0 : r.get("p99_ms"));
                connected += r.get("connected").intValue();
                failed += r.get("failed").intValue();
            }
            // The load's CPU includes reading the certificates before its ramp started: an upper bound.
            final double loadBusy = loadTicks / TICKS_PER_SECOND / ramp * 100;
            // The broker's core: near 100% means the broker, not the load, set the ramp's pace.
            final double brokerBusy = brokerRampCpu / ramp * 100;
            System.out.printf(
                    Locale.ROOT,
                    "  ramp: %,d connected, %d failed in %.1f s (%.0f CONNECTs/s, p99 %.0f ms); broker CPU %.2f ms per CONNECT;"
                            + " broker core %.0f%% busy, load core at most %.0f%%%n",
                    connected,
                    failed,
                    ramp,
                    connected / ramp,
                    p99,
                    brokerRampCpu * 1000 / connected,
                    brokerBusy,
                    loadBusy);
            if (connected < size * 0.99) {
                throw new IllegalStateException(broker + ": only " + connected + " of " + size
                        + " devices connected; see the load's errors above and " + out.resolve("logs"));
            }
            Thread.sleep(10_000);
            Files.writeString(
                    out.resolve("logs").resolve("histogram-" + broker + "-" + size + ".txt"),
                    histogram(command.get(0), process.pid()));
            final double heap = (liveHeap(command.get(0), process.pid()) - heapBefore) / (double) connected;
            final double rss = (rss(process.pid()) - rssBefore) / (double) connected;
            final double own = (certguardHeap(command.get(0), process.pid()) - certguardBefore) / (double) connected;
            System.out.printf(
                    Locale.ROOT,
                    "  heap %.0f B, RSS %.0f B, certguard's own objects %.0f B per connection%n",
                    heap,
                    rss,
                    own);
            final boolean secure = broker.startsWith(BenchBrokers.SECURE);
            final boolean ocsp = broker.startsWith(BenchBrokers.SECURE + "-ocsp");
            final Metrics afterRamp = secure ? Metrics.scrape() : null;
            final long idleBefore = ConnectBenchmark.cpuTicks(process.pid());
            Thread.sleep(30_000);
            final double idle = (ConnectBenchmark.cpuTicks(process.pid()) - idleBefore) / TICKS_PER_SECOND / 30 * 100;
            System.out.printf(Locale.ROOT, "  idle CPU with the fleet connected: %.1f%% of a core%n", idle);
            double ocspRate = Double.NaN;
            double ocspCpu = Double.NaN;
            if (ocsp) {
                // Every answer is used for 120 s and fetched again 60 s before it expires: by now the sweep
                // refreshes the fleet's answers at about N / 60 a second. A 60 s window of them.
                final Metrics before = Metrics.scrape();
                final long cpuBefore = ConnectBenchmark.cpuTicks(process.pid());
                final Map<String, Long> threadsBefore = ConnectBenchmark.threadTicks(process.pid());
                Thread.sleep(60_000);
                final Map<String, Double> threads = ConnectBenchmark.threadSecondsSince(process.pid(), threadsBefore);
                System.out.println("  broker CPU during the OCSP window by thread (s): " + top(threads, 8));
                final Metrics after = Metrics.scrape();
                ocspRate = (after.get("ocsp_requests") - before.get("ocsp_requests")) / 60;
                ocspCpu = (ConnectBenchmark.cpuTicks(process.pid()) - cpuBefore) / TICKS_PER_SECOND / 60 * 100;
                System.out.printf(
                        Locale.ROOT,
                        "  OCSP: %.0f requests during the ramp; the sweep's refreshes %.1f requests/s with the fleet"
                                + " connected (broker CPU %.1f%% of a core); %.0f failures%n",
                        afterRamp.get("ocsp_requests"),
                        ocspRate,
                        ocspCpu,
                        after.sum("ocsp_failures_"));
            }

            double revocation = Double.NaN;
            double revocationCpu = Double.NaN;
            int cuts = 0;
            int wrong = 0;
            if (secure) {
                // 1,000 connected devices, spread over the fleet, added to the CRL in force.
                final int revoking = Math.min(REVOKED, size / 5);
                final byte[][] revoked = new byte[revoking][];
                final Map<Integer, Boolean> expected = new LinkedHashMap<>();
                for (int i = 0; i < revoking; i++) {
                    final int device = (int) ((long) i * size / revoking);
                    expected.put(device, true);
                    revoked[i] = fleet.serials()[device].toByteArray();
                }
                final byte[] crl = LargeCrl.generate(setup.ca(), crlEntries, 42, 2000, revoked)
                        .der();
                final Path next = out.resolve("crl-next.der");
                Files.write(next, crl);
                final long cpuBefore = ConnectBenchmark.cpuTicks(process.pid());
                final double published = System.currentTimeMillis() / 1000.0;
                Files.move(
                        next,
                        out.resolve("crl-in-use.der"),
                        StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
                final long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (closedCount(loads) < revoking && System.nanoTime() < until) {
                    Thread.sleep(50);
                }
                Thread.sleep(2000); // anything else cut would show now
                revocationCpu = (ConnectBenchmark.cpuTicks(process.pid()) - cpuBefore) / TICKS_PER_SECOND;
                double last = 0;
                for (final Load load : loads) {
                    for (final Map.Entry<Integer, Double> cut : load.closed.entrySet()) {
                        if (expected.containsKey(cut.getKey())) {
                            cuts++;
                            last = Math.max(last, cut.getValue());
                        } else {
                            wrong++;
                        }
                    }
                }
                revocation = last - published;
                // Every close the load saw, for a reader who wants to know which and when.
                final StringBuilder closes =
                        new StringBuilder("device\tseconds after the CRL was published\trevoked\n");
                for (final Load load : loads) {
                    load.closed.forEach((device, at) -> closes.append(device)
                            .append('\t')
                            .append(String.format(Locale.ROOT, "%.3f", at - published))
                            .append('\t')
                            .append(expected.containsKey(device))
                            .append('\n'));
                }
                Files.writeString(out.resolve("logs").resolve("closed-" + broker + "-" + size + ".tsv"), closes);
                System.out.printf(
                        Locale.ROOT,
                        "  revocation of %d connected devices: %d cut, last %.2f s after the CRL was published (CPU %.2f s), %d others cut%n",
                        revoking,
                        cuts,
                        revocation,
                        revocationCpu,
                        wrong);
            }

            LiveOps live = LiveOps.NONE;
            if (secure) {
                live = liveOps(broker, process, port, size, loads, bridge, ocsp);
                if (ocsp) {
                    live = new LiveOps(
                            live.tenantDevices(),
                            live.denyCuts(),
                            live.denySeconds(),
                            live.denyCpuSeconds(),
                            live.denyWrong(),
                            live.tenantBack(),
                            live.tenantBackSeconds(),
                            live.aclSeconds(),
                            live.aclCpuSeconds(),
                            live.aclReasonCode(),
                            live.aclWrong(),
                            ocspRate,
                            ocspCpu,
                            afterRamp.get("ocsp_requests"),
                            live.ocspHitRate());
                }
            }

            // Restarts with the whole fleet reconnecting at once.
            final List<Storm> storms = new ArrayList<>();
            for (int attempt = 1; attempt <= restarts; attempt++) {
                final int expectedBack = connected - cuts;
                final Restarted restarted = restart(broker, command, size, port, process, attempt, loads);
                process = restarted.process();
                storms.add(storm(loads, process, restarted.up(), expectedBack));
            }
            return new Step(
                    broker,
                    size,
                    connected,
                    failed,
                    ramp,
                    p99,
                    brokerRampCpu * 1000 / connected,
                    brokerBusy,
                    heap,
                    rss,
                    own,
                    idle,
                    revocation,
                    revocationCpu,
                    cuts,
                    wrong,
                    live,
                    storms);
        } finally {
            for (final Load load : loads) {
                try {
                    load.tell("quit");
                } catch (final IOException e) {
                    // already gone
                }
                if (!load.process.waitFor(30, TimeUnit.SECONDS)) {
                    load.process.destroyForcibly();
                }
            }
            process.toHandle().destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            BenchBrokers.awaitPortFree(port);
        }
    }

    /** A broker process started again, and when its port opened (epoch seconds). */
    private record Restarted(Process process, double up) {}

    /** Stops the broker and starts it again on the same data, returning when its port is open. */
    private Restarted restart(
            final String broker,
            final List<String> command,
            final int size,
            final int port,
            final Process running,
            final int attempt,
            final List<Load> loads)
            throws Exception {
        running.destroy();
        if (!running.waitFor(60, TimeUnit.SECONDS)) {
            running.destroyForcibly().waitFor();
        }
        BenchBrokers.awaitPortFree(port);
        for (final Load load : loads) {
            load.back.clear();
            load.refused.set(0);
        }
        final Process process = start(broker, command, size, attempt);
        BenchBrokers.awaitPort(port, process, Duration.ofSeconds(120));
        return new Restarted(process, System.currentTimeMillis() / 1000.0);
    }

    /** Tells the whole fleet to reconnect to the restarted broker and times its return. */
    private static Storm storm(final List<Load> loads, final Process broker, final double up, final int expectedBack)
            throws Exception {
        final Map<String, Long> threadsBefore = ConnectBenchmark.threadTicks(broker.pid());
        for (final Load load : loads) {
            load.tell("reconnect");
        }
        final long restartDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (backCount(loads) < expectedBack && System.nanoTime() < restartDeadline) {
            Thread.sleep(100);
        }
        // Where the broker's CPU went during the storm (start-up before the port opened not included).
        final Map<String, Double> threadSeconds = ConnectBenchmark.threadSecondsSince(broker.pid(), threadsBefore);
        final List<double[]> back = new ArrayList<>();
        int refusedAfter = 0;
        for (final Load load : loads) {
            back.addAll(load.back);
            refusedAfter += load.refused.get();
        }
        back.sort((a, b) -> Double.compare(a[0], b[0]));
        final double[] restart = new double[4];
        final double[] fractions = {0.5, 0.9, 0.99, 1.0};
        for (int i = 0; i < fractions.length; i++) {
            final int index = (int) Math.ceil(fractions[i] * expectedBack) - 1;
            restart[i] = index >= 0 && index < back.size() ? back.get(index)[0] - up : Double.NaN;
        }
        final List<Double> latencies = new ArrayList<>();
        back.forEach(b -> latencies.add(b[1]));
        Collections.sort(latencies);
        final double restartP99 = latencies.isEmpty()
                ? Double.NaN
                : latencies.get(Math.min(latencies.size() - 1, (int) (0.99 * latencies.size())));
        System.out.printf(
                Locale.ROOT,
                "  restart: %,d of %,d back; 50%% %.1f s, 90%% %.1f s, 99%% %.1f s, all %.1f s after the port opened; %d refusals, CONNACK p99 %.0f ms%n",
                back.size(),
                expectedBack,
                restart[0],
                restart[1],
                restart[2],
                restart[3],
                refusedAfter,
                restartP99);
        System.out.println("  broker CPU during the storm by thread (s): " + top(threadSeconds, 8));
        return new Storm(restart, back.size(), expectedBack, refusedAfter, restartP99, threadSeconds);
    }

    /** The {@code count} largest entries, largest first, as "name 1.23, ...". */
    private static String top(final Map<String, Double> values, final int count) {
        return values.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(count)
                .map(e -> String.format(Locale.ROOT, "%s %.2f", e.getKey(), e.getValue()))
                .collect(java.util.stream.Collectors.joining(", "));
    }

    /**
     * With the fleet connected: a deny list naming every device of one tenant (time to the last cut),
     * the list emptied and the tenant reconnecting (with OCSP, how many answers the cache gave), and
     * an acl-extension reload narrowing a connected service (time to its cut).
     */
    private LiveOps liveOps(
            final String broker,
            final Process process,
            final int port,
            final int size,
            final List<Load> loads,
            final Device bridge,
            final boolean ocsp)
            throws Exception {
        final Set<Integer> earlier = new HashSet<>();
        loads.forEach(l -> earlier.addAll(l.closed.keySet()));
        final Set<Integer> tenant = new LinkedHashSet<>();
        final StringBuilder deny = new StringBuilder("# every device of tenant t" + DENIED_TENANT + "\n");
        for (int i = DENIED_TENANT; i < size; i += TENANTS) {
            deny.append("identity:").append(Fleet.identity(i)).append('\n');
            if (!earlier.contains(i)) {
                tenant.add(i);
            }
        }
        long cpuBefore = ConnectBenchmark.cpuTicks(process.pid());
        final double denied = replace(denyList(), deny.toString());
        final long denyDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (closedSince(loads, denied, tenant, true) < tenant.size() && System.nanoTime() < denyDeadline) {
            Thread.sleep(50);
        }
        Thread.sleep(2000); // anything else cut would show now
        final double denyCpu = (ConnectBenchmark.cpuTicks(process.pid()) - cpuBefore) / TICKS_PER_SECOND;
        final int denyCuts = closedSince(loads, denied, tenant, true);
        final int denyWrong = closedSince(loads, denied, tenant, false);
        final double denySeconds = lastClosedSince(loads, denied, tenant) - denied;
        System.out.printf(
                Locale.ROOT,
                "  deny list naming tenant t%d's %d connected devices: %d cut, last %.2f s after the file was"
                        + " replaced (CPU %.2f s), %d others cut%n",
                DENIED_TENANT,
                tenant.size(),
                denyCuts,
                denySeconds,
                denyCpu,
                denyWrong);

        // The tenant forgiven: the list emptied, the tenant's devices reconnect.
        replace(denyList(), "");
        final long emptied = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (Metrics.scrape().get("deny_list_entries") > 0 && System.nanoTime() < emptied) {
            Thread.sleep(100);
        }
        for (final Load load : loads) {
            load.back.clear();
            load.refused.set(0);
        }
        final Metrics beforeBack = Metrics.scrape();
        final double told = System.currentTimeMillis() / 1000.0;
        for (final Load load : loads) {
            load.tell("reconnect");
        }
        final long backDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (tenantBack(loads, tenant).size() < tenant.size() && System.nanoTime() < backDeadline) {
            Thread.sleep(100);
        }
        Thread.sleep(1000); // the revoked devices' refused attempts finish too
        final List<Double> back = tenantBack(loads, tenant);
        final double backSeconds = back.stream().mapToDouble(d -> d).max().orElse(Double.NaN) - told;
        final Metrics afterBack = Metrics.scrape();
        double hitRate = Double.NaN;
        if (ocsp) {
            // Each returning device's CONNECT looks its answer up once (the CRL-revoked ones are refused
            // before OCSP is asked); the requests counter cannot tell these from the sweep's refreshes.
            final double hits = afterBack.get("ocsp_cache_hits") - beforeBack.get("ocsp_cache_hits");
            hitRate = back.isEmpty() ? Double.NaN : hits / back.size();
        }
        System.out.printf(
                Locale.ROOT,
                "  deny list emptied: %d of the tenant's %d back in %.2f s%s%n",
                back.size(),
                tenant.size(),
                backSeconds,
                ocsp ? String.format(Locale.ROOT, "; OCSP answers from the cache %.1f%%", hitRate * 100) : "");

        // A connected service narrowed by an acl-extension reload.
        final CompletableFuture<Double> bridgeCut = new CompletableFuture<>();
        final int[] reasonCode = {-1};
        final Mqtt5AsyncClient client = Mqtt5Client.builder()
                .identifier(bridge.identity())
                .serverHost("127.0.0.1")
                .serverPort(port)
                .sslConfig(bridge.ssl())
                .addDisconnectedListener(context -> {
                    if (context.getCause() instanceof Mqtt5DisconnectException) {
                        reasonCode[0] = ((Mqtt5DisconnectException) context.getCause())
                                .getMqttMessage()
                                .getReasonCode()
                                .getCode();
                    }
                    bridgeCut.complete(System.currentTimeMillis() / 1000.0);
                })
                .buildAsync();
        client.connect().get(30, TimeUnit.SECONDS);
        client.subscribeWith().topicFilter("+/attrs").send().get(30, TimeUnit.SECONDS);
        final Path acl = aclConfig(broker);
        final String wide = Files.readString(acl);
        final String narrow = wide.replace("<subscribe>+/attrs</subscribe>", "<subscribe>t00:d00000/attrs</subscribe>");
        if (narrow.equals(wide)) {
            throw new IllegalStateException("the acl configuration does not give " + BRIDGE + " +/attrs: " + wide);
        }
        cpuBefore = ConnectBenchmark.cpuTicks(process.pid());
        final double narrowed = replace(acl, narrow);
        double cutAt = Double.NaN;
        try {
            cutAt = bridgeCut.get(30, TimeUnit.SECONDS);
        } catch (final java.util.concurrent.TimeoutException e) {
            System.out.println("  the narrowed service was not cut within 30 s");
        }
        Thread.sleep(2000);
        final double aclCpu = (ConnectBenchmark.cpuTicks(process.pid()) - cpuBefore) / TICKS_PER_SECOND;
        final int aclWrong = closedSince(loads, narrowed, Set.of(), false);
        replace(acl, wide);
        Thread.sleep(2000); // the wider configuration back in force before the restarts
        System.out.printf(
                Locale.ROOT,
                "  acl-extension reload narrowing %s: cut (reason code 0x%02x) %.2f s after the file was replaced"
                        + " (CPU %.2f s), %d devices cut%n",
                BRIDGE,
                reasonCode[0],
                cutAt - narrowed,
                aclCpu,
                aclWrong);
        return new LiveOps(
                tenant.size(),
                denyCuts,
                denySeconds,
                denyCpu,
                denyWrong,
                back.size(),
                backSeconds,
                cutAt - narrowed,
                aclCpu,
                reasonCode[0],
                aclWrong,
                Double.NaN,
                Double.NaN,
                Double.NaN,
                hitRate);
    }

    /** Replaces {@code file} in one step (as operators' tools should); returns when, in epoch seconds. */
    private double replace(final Path file, final String content) throws IOException {
        final Path next = out.resolve(file.getFileName() + ".next");
        Files.writeString(next, content);
        final double at = System.currentTimeMillis() / 1000.0;
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return at;
    }

    /** Devices closed at or after {@code since} that are ({@code inside}) or are not in {@code devices}. */
    private static int closedSince(
            final List<Load> loads, final double since, final Set<Integer> devices, final boolean inside) {
        int count = 0;
        for (final Load load : loads) {
            for (final Map.Entry<Integer, Double> closed : load.closed.entrySet()) {
                if (closed.getValue() >= since && devices.contains(closed.getKey()) == inside) {
                    count++;
                }
            }
        }
        return count;
    }

    private static double lastClosedSince(final List<Load> loads, final double since, final Set<Integer> devices) {
        double last = Double.NaN;
        for (final Load load : loads) {
            for (final Map.Entry<Integer, Double> closed : load.closed.entrySet()) {
                if (closed.getValue() >= since && devices.contains(closed.getKey())) {
                    last = Double.isNaN(last) ? closed.getValue() : Math.max(last, closed.getValue());
                }
            }
        }
        return last;
    }

    /** When each of {@code devices} came back (epoch seconds). */
    private static List<Double> tenantBack(final List<Load> loads, final Set<Integer> devices) {
        final List<Double> back = new ArrayList<>();
        for (final Load load : loads) {
            for (final double[] one : load.back) {
                if (devices.contains((int) one[2])) {
                    back.add(one[0]);
                }
            }
        }
        return back;
    }

    /** crl-extension's metrics from the launcher's Prometheus endpoint. */
    record Metrics(Map<String, Double> values) {
        private static final String PREFIX = "dev_certguard_crl_extension_";
        private static final java.net.http.HttpClient HTTP = java.net.http.HttpClient.newHttpClient();

        static Metrics scrape() throws Exception {
            final String text = HTTP.send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(METRICS))
                                    .timeout(Duration.ofSeconds(10))
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString())
                    .body();
            final Map<String, Double> values = new LinkedHashMap<>();
            for (final String line : text.split("\n")) {
                if (!line.startsWith(PREFIX)) {
                    continue;
                }
                final int space = line.lastIndexOf(' ');
                String name = line.substring(PREFIX.length(), space);
                final int labels = name.indexOf('{');
                if (labels >= 0) {
                    name = name.substring(0, labels);
                }
                if (name.endsWith("_total")) {
                    name = name.substring(0, name.length() - "_total".length());
                }
                values.merge(name, Double.parseDouble(line.substring(space + 1)), Double::sum);
            }
            return new Metrics(values);
        }

        double get(final String name) {
            return values.getOrDefault(name, 0.0);
        }

        double sum(final String prefix) {
            return values.entrySet().stream()
                    .filter(e -> e.getKey().startsWith(prefix))
                    .mapToDouble(Map.Entry::getValue)
                    .sum();
        }
    }

    private static int closedCount(final List<Load> loads) {
        return loads.stream().mapToInt(l -> l.closed.size()).sum();
    }

    private static int backCount(final List<Load> loads) {
        return loads.stream().mapToInt(l -> l.back.size()).sum();
    }

    private Process start(final String broker, final List<String> command, final int size, final int attempt)
            throws IOException {
        final List<String> pinned = new ArrayList<>(List.of("taskset", "-c", "0", command.get(0)));
        pinned.addAll(command.subList(1, command.size()));
        return new ProcessBuilder(pinned)
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("logs")
                        .resolve(broker + "-" + size + "-" + attempt + ".log")
                        .toFile())
                .start();
    }

    /** Live heap after a full GC, in bytes (the histogram's total). */
    private static long liveHeap(final String java, final long pid) throws Exception {
        return histogramTotal(java, pid, null);
    }

    /** Bytes of certguard's own classes in the live heap. */
    private static long certguardHeap(final String java, final long pid) throws Exception {
        return histogramTotal(java, pid, "dev.certguard.");
    }

    /** The broker's class histogram of live objects (after a full GC), as jcmd prints it. */
    private static String histogram(final String java, final long pid) throws Exception {
        final Process jcmd = new ProcessBuilder(
                        Path.of(java).resolveSibling("jcmd").toString(), String.valueOf(pid), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        final String text = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        jcmd.waitFor();
        return text;
    }

    private static long histogramTotal(final String java, final long pid, final String prefix) throws Exception {
        final String text = histogram(java, pid);
        long total = 0;
        for (final String line : text.split("\n")) {
            final String[] fields = line.trim().split("\\s+");
            if (prefix == null && fields.length >= 3 && fields[0].equals("Total")) {
                return Long.parseLong(fields[2]);
            }
            if (prefix != null && fields.length >= 4 && fields[0].endsWith(":") && fields[3].startsWith(prefix)) {
                total += Long.parseLong(fields[2]);
            }
        }
        return total;
    }

    private static long rss(final long pid) throws IOException {
        for (final String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
            if (line.startsWith("VmRSS:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        return 0;
    }

    static String report(final List<Step> steps) {
        final StringBuilder out = new StringBuilder();
        out.append(
                "| broker | devices | connected | ramp s | CONNECTs/s | ramp p99 ms | broker CPU ms/CONNECT | broker core busy % | heap B/conn | RSS B/conn"
                        + " | certguard objects B/conn | idle CPU % | 1,000 revoked: last cut s | its CPU s | others cut |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final Step s : steps) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %.1f | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %s | %s |%n",
                    s.broker(),
                    s.devices(),
                    s.connected(),
                    s.rampSeconds(),
                    s.connected() / s.rampSeconds(),
                    s.rampP99Ms(),
                    s.rampBrokerCpuMsPerConnect(),
                    s.brokerBusyPercent(),
                    s.heapBytesPerConnection(),
                    s.rssBytesPerConnection(),
                    s.certguardBytesPerConnection(),
                    s.idleCpuPercent(),
                    figure(s.revocationSeconds()),
                    figure(s.revocationCpuSeconds()),
                    Double.isNaN(s.revocationSeconds()) ? "-" : String.valueOf(s.wrongCuts())));
        }
        out.append("\nRestarts with the whole fleet reconnecting at once (one row per restart):\n\n");
        out.append("| broker | devices | restart | back | 50% s | 90% s | 99% s | all s | refusals | CONNACK p99 ms"
                + " | broker CPU s during the storm, by thread |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final Step s : steps) {
            for (int i = 0; i < s.storms().size(); i++) {
                final Storm storm = s.storms().get(i);
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %,d | %d | %,d of %,d | %.1f | %.1f | %.1f | %.1f | %d | %.0f | %s |%n",
                        s.broker(),
                        s.devices(),
                        i + 1,
                        storm.back(),
                        storm.expected(),
                        storm.seconds()[0],
                        storm.seconds()[1],
                        storm.seconds()[2],
                        storm.seconds()[3],
                        storm.refused(),
                        storm.p99Ms(),
                        top(storm.threadSeconds(), 6)));
            }
        }
        if (steps.stream().anyMatch(s -> s.live() != LiveOps.NONE)) {
            out.append("\nLive operations with the fleet connected (certguard):\n\n");
            out.append("| broker | devices | deny one tenant: devices | cut | last cut s | CPU s | others cut"
                    + " | tenant back after the list is emptied | in s | acl reload narrowing a service: cut after s"
                    + " | reason code | CPU s | devices cut | OCSP requests during the ramp | OCSP refreshes/s, fleet"
                    + " connected | broker CPU % then | OCSP cache hits, tenant back |\n");
            out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
            for (final Step s : steps) {
                final LiveOps l = s.live();
                if (l == LiveOps.NONE) {
                    continue;
                }
                out.append(String.format(
                        Locale.ROOT,
                        "| %s | %,d | %,d | %,d | %.2f | %.2f | %d | %,d | %.2f | %.2f | 0x%02X | %.2f | %d | %s | %s | %s | %s |%n",
                        s.broker(),
                        s.devices(),
                        l.tenantDevices(),
                        l.denyCuts(),
                        l.denySeconds(),
                        l.denyCpuSeconds(),
                        l.denyWrong(),
                        l.tenantBack(),
                        l.tenantBackSeconds(),
                        l.aclSeconds(),
                        l.aclReasonCode(),
                        l.aclCpuSeconds(),
                        l.aclWrong(),
                        Double.isNaN(l.ocspRampRequests())
                                ? "-"
                                : String.format(Locale.ROOT, "%,.0f", l.ocspRampRequests()),
                        figure(l.ocspRequestsPerSecond()),
                        figure(l.ocspWindowCpuPercent()),
                        Double.isNaN(l.ocspHitRate())
                                ? "-"
                                : String.format(Locale.ROOT, "%.1f%%", l.ocspHitRate() * 100)));
            }
        }
        return out.toString();
    }

    private static String figure(final double value) {
        return Double.isNaN(value) ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }

    /** Memory and CPU against N, one line per broker. */
    private static void chart(final List<Step> steps, final Path file) throws IOException {
        final List<String> brokers = new ArrayList<>();
        steps.forEach(s -> {
            if (!brokers.contains(s.broker())) {
                brokers.add(s.broker());
            }
        });
        LineChart.write(
                file,
                "certguard at scale: one broker, N devices with distinct certificates",
                brokers,
                steps.stream().mapToInt(Step::devices).distinct().sorted().toArray(),
                List.of(
                        new LineChart.Panel(
                                "heap per connection",
                                "bytes",
                                (b, n) -> value(steps, b, n, Step::heapBytesPerConnection)),
                        new LineChart.Panel(
                                "RSS per connection",
                                "bytes",
                                (b, n) -> value(steps, b, n, Step::rssBytesPerConnection)),
                        new LineChart.Panel(
                                "idle CPU, fleet connected",
                                "% of a core",
                                (b, n) -> value(steps, b, n, Step::idleCpuPercent)),
                        new LineChart.Panel(
                                "ramp",
                                "CONNECTs/s",
                                (b, n) -> value(steps, b, n, s -> s.connected() / s.rampSeconds()))));
    }

    private static double value(
            final List<Step> steps,
            final String broker,
            final int devices,
            final java.util.function.ToDoubleFunction<Step> f) {
        return steps.stream()
                .filter(s -> s.broker().equals(broker) && s.devices() == devices)
                .mapToDouble(f)
                .findFirst()
                .orElse(Double.NaN);
    }
}
