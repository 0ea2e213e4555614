package dev.certguard.bench.load;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
 * histogram), idle CPU with the fleet connected and pinging, and, for certguard, the revocation of
 * 1,000 connected devices by a 1,000,000-entry CRL (time to the last cut) and a restart with the
 * whole fleet reconnecting at once. Not thread-safe; one run at a time.
 */
public final class ScaleBenchmark {

    private static final Pattern JSON_NUMBER = Pattern.compile("\"(\\w+)\": (-?[0-9.eE+-]+|null)");
    private static final double TICKS_PER_SECOND = 100.0;
    private static final int REVOKED = 1_000;

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
            double[] restartSeconds,
            int restartRefused,
            double restartP99Ms) {}

    private final List<Integer> sizes;
    private final List<String> brokers;
    private final int processes;
    private final int crlEntries;
    private final Path out;

    private ScaleBenchmark(final Map<String, String> options) {
        sizes = parse(options.getOrDefault("sizes", "5000,10000,18000"));
        brokers = List.of(options.getOrDefault("brokers", "certguard,allow-all").split(","));
        processes = Integer.parseInt(options.getOrDefault("processes", "4"));
        crlEntries = Integer.parseInt(options.getOrDefault("crl-entries", "1000000"));
        out = Path.of(options.getOrDefault("out", "/tmp/certguard-scale")).toAbsolutePath();
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
                                + " [--processes P] [--crl-entries E] [--out DIR]");
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
        // The CRL is re-read every 5 s, so a revocation reaches the broker within 5 s of its publication.
        final Path crlConfig = out.resolve("secure-home/extensions/crl-extension/conf/config.xml");
        Files.copy(out.resolve("crl.der"), out.resolve("crl-in-use.der"), StandardCopyOption.REPLACE_EXISTING);
        Files.writeString(
                crlConfig,
                Files.readString(crlConfig)
                        .replace(
                                out.resolve("crl.der").toString(),
                                out.resolve("crl-in-use.der").toString())
                        .replace(
                                "</crl-sources>",
                                "</crl-sources>\n    <refresh-interval-seconds>5</refresh-interval-seconds>"));
        System.out.printf("issuing %,d device certificates...%n", largest);
        final Fleet fleet = Fleet.issue(setup.ca(), out.resolve("fleet"), largest);
        final Map<String, List<String>> commands = setup.commands(BenchBrokers.currentJava());
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
                dev.certguard.broker.BrokerHome.deleteRecursively(out.resolve("secure-home/data"));
                steps.add(measure(broker, command, size, setup, script, fleet));
                Files.writeString(out.resolve("scale-results.md"), report(steps));
            }
        }
        final String report = report(steps);
        Files.writeString(out.resolve("scale-results.md"), report);
        chart(steps, out.resolve("scale.png"));
        System.out.println(report);
        System.out.println("written to " + out.resolve("scale-results.md") + " and " + out.resolve("scale.png"));
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
                final String identity = String.format("scale:d%05d", i);
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
                        back.add(new double[] {values.get("at"), values.get("latency_ms")});
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
            final Fleet fleet)
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
            final long idleBefore = ConnectBenchmark.cpuTicks(process.pid());
            Thread.sleep(30_000);
            final double idle = (ConnectBenchmark.cpuTicks(process.pid()) - idleBefore) / TICKS_PER_SECOND / 30 * 100;
            System.out.printf(Locale.ROOT, "  idle CPU with the fleet connected: %.1f%% of a core%n", idle);

            double revocation = Double.NaN;
            double revocationCpu = Double.NaN;
            int cuts = 0;
            int wrong = 0;
            if (broker.startsWith(BenchBrokers.SECURE)) {
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

            // A restart with the whole fleet reconnecting at once.
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            BenchBrokers.awaitPortFree(port);
            for (final Load load : loads) {
                load.back.clear();
                load.refused.set(0);
            }
            final int expectedBack = connected - cuts;
            process = start(broker, command, size, 1);
            BenchBrokers.awaitPort(port, process, Duration.ofSeconds(120));
            final double up = System.currentTimeMillis() / 1000.0;
            for (final Load load : loads) {
                load.tell("reconnect");
            }
            final long restartDeadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
            while (backCount(loads) < expectedBack && System.nanoTime() < restartDeadline) {
                Thread.sleep(100);
            }
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
                    restart,
                    refusedAfter,
                    restartP99);
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
                        + " | certguard objects B/conn | idle CPU % | 1,000 revoked: last cut s | its CPU s | others cut"
                        + " | restart 50/90/99/100% s | refusals | restart CONNACK p99 ms |\n");
        out.append("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
        for (final Step s : steps) {
            out.append(String.format(
                    Locale.ROOT,
                    "| %s | %,d | %,d | %.1f | %.0f | %.0f | %.2f | %.0f | %.0f | %.0f | %.0f | %.1f | %s | %s | %s | %.1f / %.1f / %.1f / %.1f | %d | %.0f |%n",
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
                    Double.isNaN(s.revocationSeconds())
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", s.revocationSeconds()),
                    Double.isNaN(s.revocationCpuSeconds())
                            ? "-"
                            : String.format(Locale.ROOT, "%.2f", s.revocationCpuSeconds()),
                    Double.isNaN(s.revocationSeconds()) ? "-" : String.valueOf(s.wrongCuts()),
                    s.restartSeconds()[0],
                    s.restartSeconds()[1],
                    s.restartSeconds()[2],
                    s.restartSeconds()[3],
                    s.restartRefused(),
                    s.restartP99Ms()));
        }
        return out.toString();
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
