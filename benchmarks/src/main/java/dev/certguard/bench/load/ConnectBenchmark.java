package dev.certguard.bench.load;

import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.KeyType;
import dev.certguard.pki.PemFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * The connect benchmark: broker CPU per CONNECT (from {@code /proc/<pid>/stat}) as the primary
 * figure, beside CONNECTs per second, for full and resumed mutual-TLS handshakes, plus a reconnect
 * storm. The broker runs pinned to core 0, the load to core 1: {@code connect-load.py}, many Python
 * processes doing OpenSSL handshakes and a raw MQTT CONNECT, so the load generator is neither a JVM
 * competing with the broker's JIT nor a client that resumes sessions behind the benchmark's back.
 * Brokers are measured in rotating order, several waves each, and the spread of waves is reported.
 */
public final class ConnectBenchmark {

    private static final Path JDK25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");
    private static final Pattern JSON_NUMBER = Pattern.compile("\"(\\w+)\": (-?[0-9.eE+-]+|null)");

    /** One measured wave. */
    record Wave(
            String broker,
            String mode,
            long connects,
            long failures,
            double seconds,
            double cpuMillis,
            double jitMillis,
            Double p50,
            Double p99,
            long resumed,
            Map<String, Double> threadMillis) {
        double cpuPerConnect() {
            return connects == 0 ? Double.NaN : cpuMillis / connects;
        }

        /** CPU per CONNECT without the JIT compiler threads' share (what a warmed-up broker pays). */
        double cpuPerConnectWithoutJit() {
            return connects == 0 ? Double.NaN : (cpuMillis - jitMillis) / connects;
        }

        double rate() {
            return connects / seconds;
        }
    }

    private final Path out;
    private final int connections;
    private final int waves;
    private final int rounds;
    private final int processes;
    private final int stormDevices;
    private final List<String> brokers;
    private final List<String> modes;
    private final int crlEntries;
    /** The partition counts of the certguard-p<N> brokers (each reads N partition CRLs). */
    private final List<Integer> crlPartitions;

    private final boolean jfr;
    /** The key type of the load generator's devices; the broker's own key stays P-256. */
    private final KeyType deviceKeyType;

    private ConnectBenchmark(final Map<String, String> options) {
        out = Path.of(options.getOrDefault("out", "benchmarks/target/connect"));
        connections = Integer.parseInt(options.getOrDefault("connections", "2000"));
        waves = Integer.parseInt(options.getOrDefault("waves", "3"));
        rounds = Integer.parseInt(options.getOrDefault("rounds", "2"));
        processes = Integer.parseInt(options.getOrDefault("processes", "16"));
        stormDevices = Integer.parseInt(options.getOrDefault("storm-devices", "1000"));
        crlEntries = Integer.parseInt(options.getOrDefault("crl-entries", "100000"));
        crlPartitions = options.containsKey("crl-partitions")
                ? java.util.Arrays.stream(options.get("crl-partitions").split(","))
                        .map(Integer::valueOf)
                        .toList()
                : List.of();
        brokers = List.of(options.getOrDefault(
                        "brokers",
                        "certguard-jdk17,allow-all-jdk17,certguard-jdk25,allow-all-jdk25,mosquitto,mosquitto-no-crl")
                .split(","));
        modes = List.of(options.getOrDefault("modes", "full,resumed,storm").split(","));
        jfr = Boolean.parseBoolean(options.getOrDefault("jfr", "false"));
        deviceKeyType = KeyType.parse(options.getOrDefault("device-key-type", "p256"));
    }

    public static void main(final String[] args) throws Exception {
        final Map<String, String> options = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("usage: connect [--connections N] [--waves W] [--rounds R]"
                        + " [--processes P] [--storm-devices D] [--crl-entries E] [--crl-partitions 1,100,10000 (adds certguard-p<N> brokers)] [--brokers a,b] [--modes full,resumed,storm]"
                        + " [--jfr true] [--device-key-type " + KeyType.names() + "] [--out DIR]");
            }
            options.put(args[i].substring(2), args[++i]);
        }
        new ConnectBenchmark(options).run();
    }

    void run() throws Exception {
        final BenchBrokers setup = BenchBrokers.prepare(out, crlEntries, crlPartitions);
        final Path script = out.resolve("connect-load.py");
        try (InputStream in = ConnectBenchmark.class.getResourceAsStream("connect-load.py")) {
            Files.write(script, in.readAllBytes());
        }
        final Path ca = setup.pki().caCertificate().toAbsolutePath();
        final Path fleet = credentials(setup, out.resolve("fleet"), 200, "bench:f");
        final Path storm = credentials(setup, out.resolve("storm"), stormDevices, "bench:s");
        final Map<String, List<String>> commands = new LinkedHashMap<>();
        for (final Map.Entry<String, List<String>> entry :
                setup.commands(BenchBrokers.currentJava()).entrySet()) {
            commands.put(entry.getKey(), entry.getValue());
            commands.put(entry.getKey() + "-jdk17", entry.getValue());
        }
        if (Files.isExecutable(JDK25)) {
            setup.commands(JDK25.toString()).forEach((name, command) -> commands.put(name + "-jdk25", command));
        }
        final Process ocsp = brokers.stream().anyMatch(b -> b.startsWith(BenchBrokers.SECURE + "-ocsp"))
                ? setup.startOcspResponder(List.of(fleet, storm))
                : null;
        final List<Wave> results = new ArrayList<>();
        try {
            for (int round = 1; round <= rounds; round++) {
                final List<String> order = new ArrayList<>(brokers);
                Collections.rotate(order, -(round - 1));
                for (final String broker : order) {
                    final List<String> command = commands.get(broker);
                    if (command == null) {
                        throw new IllegalArgumentException(
                                "unknown broker " + broker + "; known: " + commands.keySet());
                    }
                    results.addAll(measure(broker, command, round, setup.port(), script, ca, fleet, storm));
                }
            }
        } finally {
            if (ocsp != null) {
                ocsp.destroy();
            }
        }
        final StringBuilder report = new StringBuilder("Device keys: " + deviceKeyType.cliName()
                + "; the broker's key and the CA: P-256; certguard's CRL: one complete CRL"
                + (crlPartitions.isEmpty()
                        ? ""
                        : " (certguard-p<N>: N partition CRLs; each device certificate names its partition)")
                + ", " + crlEntries + " entries in all.\n\n" + report(results));
        try (var recordings = Files.list(out)) {
            for (final Path recording : recordings
                    .filter(f -> f.toString().endsWith(".jfr"))
                    .sorted()
                    .toList()) {
                report.append(profile(recording));
            }
        }
        Files.writeString(out.resolve("connect-" + java.time.LocalDate.now() + ".md"), report.toString());
        System.out.println(report);
    }

    private List<Wave> measure(
            final String broker,
            final List<String> command,
            final int round,
            final int port,
            final Path script,
            final Path ca,
            final Path fleet,
            final Path storm)
            throws Exception {
        final List<String> pinned = new ArrayList<>(List.of("taskset", "-c", "0", command.get(0)));
        if (command.get(0).endsWith("java")) {
            pinned.add("-XX:-UseDynamicNumberOfCompilerThreads");
        }
        pinned.addAll(command.subList(1, command.size()));
        final boolean profiled = jfr && command.get(0).endsWith("java") && round == 1;
        System.out.printf("%n=== round %d: %s ===%n", round, broker);
        final Process process = new ProcessBuilder(pinned)
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("logs")
                        .resolve(broker + "-" + round + ".log")
                        .toFile())
                .start();
        final List<Wave> measured = new ArrayList<>();
        try {
            BenchBrokers.awaitPort(port, process, Duration.ofSeconds(120));
            Thread.sleep(2000);
            // On one core a JVM broker's JIT needs thousands of handshakes before its cost settles.
            load(broker, "warm-up", process, port, script, ca, fleet, List.of("rate", "full"), 2 * connections);
            load(broker, "warm-up", process, port, script, ca, fleet, List.of("rate", "resumed"), connections / 2);
            if (profiled) {
                // Only the measured waves are recorded, not start-up, CRL loading or JIT warm-up.
                jcmd(
                        command.get(0),
                        process.pid(),
                        "JFR.start",
                        "name=certguard",
                        "settings=" + System.getProperty("certguard.bench.jfr-settings", "profile"),
                        "filename=" + out.resolve(broker + ".jfr").toAbsolutePath());
            }
            for (final String mode : modes) {
                for (int wave = 0; wave < (mode.equals("storm") ? 2 : waves); wave++) {
                    final List<String> how = mode.equals("storm") ? List.of("storm") : List.of("rate", mode);
                    final String label = mode.equals("storm") ? (wave == 0 ? "storm-first" : "storm-again") : mode;
                    final Wave result = load(
                            broker,
                            label,
                            process,
                            port,
                            script,
                            ca,
                            mode.equals("storm") ? storm : fleet,
                            how,
                            mode.equals("storm") ? stormDevices : connections);
                    measured.add(result);
                    System.out.printf(
                            Locale.ROOT,
                            "  %-12s %6d ok %4d failed  %8.0f /s  %6.2f ms CPU/connect (%5.2f without JIT)  p50 %.1f p99 %.1f ms  resumed %d%n",
                            label,
                            result.connects(),
                            result.failures(),
                            result.rate(),
                            result.cpuPerConnect(),
                            result.cpuPerConnectWithoutJit(),
                            result.p50(),
                            result.p99(),
                            result.resumed());
                    Thread.sleep(1000);
                }
            }
            if (profiled) {
                jcmd(command.get(0), process.pid(), "JFR.stop", "name=certguard");
            }
        } finally {
            process.toHandle().destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            BenchBrokers.awaitPortFree(port);
        }
        return measured;
    }

    private Wave load(
            final String broker,
            final String label,
            final Process process,
            final int port,
            final Path script,
            final Path ca,
            final Path creds,
            final List<String> how,
            final int count)
            throws Exception {
        final List<String> command = new ArrayList<>(List.of("taskset", "-c", "1", "python3", script.toString()));
        command.add(how.get(0));
        command.addAll(List.of(
                "127.0.0.1",
                String.valueOf(port),
                ca.toString(),
                creds.toString(),
                String.valueOf(count),
                String.valueOf(processes)));
        command.addAll(how.subList(1, how.size()));
        final long before = cpuTicks(process.pid());
        final long jitBefore = jitTicks(process.pid());
        final Map<String, Long> threadsBefore = threadTicks(process.pid());
        final Process load =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(load.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!load.waitFor(10, TimeUnit.MINUTES) || load.exitValue() != 0) {
            throw new IllegalStateException("load generator failed: " + output);
        }
        final long after = cpuTicks(process.pid());
        final long jitAfter = jitTicks(process.pid());
        final Map<String, Double> threadMillis = new TreeMap<>();
        threadSecondsSince(process.pid(), threadsBefore)
                .forEach((group, seconds) -> threadMillis.put(group, seconds * 1000));
        final String json = output.lines()
                .filter(line -> line.startsWith("{"))
                .reduce((a, b) -> b)
                .orElseThrow(() -> new IllegalStateException("no result from the load generator: " + output));
        final Map<String, Double> values = new LinkedHashMap<>();
        final Matcher matcher = JSON_NUMBER.matcher(json);
        while (matcher.find()) {
            values.put(matcher.group(1), matcher.group(2).equals("null") ? null : Double.parseDouble(matcher.group(2)));
        }
        if (values.get("failures") > 0) {
            System.out.println("  failures: " + json);
        }
        return new Wave(
                broker,
                label,
                values.get("connects").longValue(),
                values.get("failures").longValue(),
                values.get("seconds"),
                (after - before) * 1000.0 / TICKS_PER_SECOND,
                (jitAfter - jitBefore) * 1000.0 / TICKS_PER_SECOND,
                values.get("p50_ms"),
                values.get("p99_ms"),
                values.get("resumed").longValue(),
                threadMillis);
    }

    private static void jcmd(final String java, final long pid, final String... arguments) throws Exception {
        final List<String> command =
                new ArrayList<>(List.of(Path.of(java).resolveSibling("jcmd").toString(), String.valueOf(pid)));
        command.addAll(List.of(arguments));
        final Process jcmd =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        final String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
            throw new IllegalStateException("jcmd failed: " + output);
        }
    }

    private static double nan(final Double value) {
        return value == null ? Double.NaN : value;
    }

    /** Linux reports process CPU time in clock ticks of 1/100 s (USER_HZ). */
    private static final double TICKS_PER_SECOND = 100.0;

    /** utime + stime of a process and its threads, in clock ticks. */
    static long cpuTicks(final long pid) throws IOException {
        final String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    /**
     * CPU of a process's threads by kind, in clock ticks: the thread's name with its digits replaced
     * by '#' (event loop, extension executor, GC, compiler), so threads that come and go add up.
     * Threads that ended between two readings are lost, which the table's "other" column shows.
     */
    static Map<String, Long> threadTicks(final long pid) throws IOException {
        final Map<String, Long> ticks = new TreeMap<>();
        try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
            for (final Path task : tasks.toList()) {
                final String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (final IOException gone) {
                    continue;
                }
                final String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'))
                        .replaceAll("[0-9]+", "#");
                final String[] fields =
                        stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                ticks.merge(name, Long.parseLong(fields[11]) + Long.parseLong(fields[12]), Long::sum);
            }
        }
        return ticks;
    }

    /** CPU seconds per thread kind since {@code before} (a {@link #threadTicks} reading); kinds that spent none left out. */
    static Map<String, Double> threadSecondsSince(final long pid, final Map<String, Long> before) throws IOException {
        final Map<String, Double> seconds = new TreeMap<>();
        threadTicks(pid).forEach((group, ticks) -> {
            final long spent = ticks - before.getOrDefault(group, 0L);
            if (spent > 0) {
                seconds.put(group, spent / TICKS_PER_SECOND);
            }
        });
        return seconds;
    }

    /**
     * CPU of a JVM's JIT compiler threads ("C1/C2 CompilerThre..."), in clock ticks; 0 for other
     * programs. The brokers run with a fixed number of compiler threads, so none exits mid-wave.
     */
    static long jitTicks(final long pid) throws IOException {
        long ticks = 0;
        for (final Map.Entry<String, Long> kind : threadTicks(pid).entrySet()) {
            if (kind.getKey().contains("CompilerThre")) {
                ticks += kind.getValue();
            }
        }
        return ticks;
    }

    private Path credentials(final BenchBrokers setup, final Path dir, final int count, final String prefix)
            throws IOException {
        final CertificateAuthority ca = setup.ca();
        Files.createDirectories(dir);
        for (int i = 0; i < count; i++) {
            final KeyPair keys = deviceKeyType.generate();
            final String name = String.format("%s%05d", prefix.substring(prefix.indexOf(':') + 1), i);
            PemFiles.writeCertificates(
                    dir.resolve(name + ".crt"),
                    true,
                    ca.issueWithDistributionPointNames(
                            new org.bouncycastle.asn1.x500.X500Name("CN=" + prefix + String.format("%05d", i)),
                            keys.getPublic(),
                            Instant.now().minusSeconds(60),
                            Instant.now().plus(Duration.ofDays(1)),
                            CertificateAuthority.Purpose.CLIENT,
                            null,
                            setup.partitions(i)));
            PemFiles.writePrivateKey(dir.resolve(name + ".key"), true, keys.getPrivate());
        }
        return dir.toAbsolutePath();
    }

    /**
     * Where a broker's CPU samples fell: the share whose stack holds a certguard frame, and the
     * packages of the topmost frames, so a reader sees what a CONNECT costs inside the broker.
     */
    static String profile(final Path recording) throws IOException {
        long total = 0;
        long certguard = 0;
        final Map<String, Long> topPackages = new java.util.HashMap<>();
        for (final RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample") || event.getStackTrace() == null) {
                continue;
            }
            final List<RecordedFrame> frames = event.getStackTrace().getFrames();
            if (frames.isEmpty()) {
                continue;
            }
            total++;
            if (frames.stream().anyMatch(f -> f.getMethod().getType().getName().startsWith("dev.certguard"))) {
                certguard++;
            }
            final String type = frames.get(0).getMethod().getType().getName();
            final int cut = type.lastIndexOf('.');
            topPackages.merge(cut < 0 ? type : type.substring(0, cut), 1L, Long::sum);
        }
        final StringBuilder md = new StringBuilder(String.format(
                Locale.ROOT,
                "%nJFR profile of %s: %d CPU samples, %.1f%% with a dev.certguard frame on the stack. Top-frame packages:%n%n",
                recording.getFileName(),
                total,
                100.0 * certguard / Math.max(1, total)));
        final long samples = Math.max(1, total);
        topPackages.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
                .limit(12)
                .forEach(e -> md.append(
                        String.format(Locale.ROOT, "- %s: %.1f%%%n", e.getKey(), 100.0 * e.getValue() / samples)));
        return md.toString();
    }

    /** Appends "{@code label} x (without JIT compilation y);" when both brokers ran {@code mode}. */
    private static void ratio(
            final StringBuilder md,
            final Map<String, Double> meanCpu,
            final Map<String, Double> meanWarm,
            final String label,
            final String numerator,
            final String denominator,
            final String mode) {
        final Double top = meanCpu.get(numerator + "|" + mode);
        final Double bottom = meanCpu.get(denominator + "|" + mode);
        if (top != null && bottom != null) {
            md.append(String.format(
                    Locale.ROOT,
                    " %s %.3f (without JIT compilation %.3f);",
                    label,
                    top / bottom,
                    meanWarm.get(numerator + "|" + mode) / meanWarm.get(denominator + "|" + mode)));
        }
    }

    /**
     * Broker CPU per CONNECT by thread kind, mean over each broker's waves of one mode: where the
     * difference between two brokers is spent (TLS on the event loops, extension tasks on the
     * extension executor, GC, JIT compilation).
     */
    static String threads(final Map<String, List<Wave>> groups) {
        final Map<String, Double> totals = new java.util.HashMap<>();
        for (final List<Wave> list : groups.values()) {
            for (final Wave wave : list) {
                wave.threadMillis().forEach((name, millis) -> totals.merge(name, millis, Double::sum));
            }
        }
        if (totals.isEmpty()) {
            return "";
        }
        final List<String> columns = totals.entrySet().stream()
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .limit(9)
                .map(Map.Entry::getKey)
                .toList();
        final StringBuilder md = new StringBuilder(
                "\nBroker CPU per CONNECT by thread (ms, mean over the waves; thread names with digits as #):\n\n| broker | handshakes |");
        columns.forEach(c -> md.append(' ').append(c).append(" |"));
        md.append(" other |\n|---|---|");
        columns.forEach(c -> md.append("---|"));
        md.append("---|\n");
        for (final List<Wave> list : groups.values()) {
            md.append("| ")
                    .append(list.get(0).broker())
                    .append(" | ")
                    .append(list.get(0).mode())
                    .append(" |");
            double shown = 0;
            for (final String column : columns) {
                final double perConnect = list.stream()
                        .mapToDouble(w -> w.threadMillis().getOrDefault(column, 0.0) / Math.max(1, w.connects()))
                        .average()
                        .orElse(Double.NaN);
                shown += perConnect;
                md.append(String.format(Locale.ROOT, " %.3f |", perConnect));
            }
            final double all =
                    list.stream().mapToDouble(Wave::cpuPerConnect).average().orElse(Double.NaN);
            md.append(String.format(Locale.ROOT, " %.3f |%n", all - shown));
        }
        return md.toString();
    }

    static String report(final List<Wave> waves) {
        final StringBuilder md = new StringBuilder();
        md.append(
                "| broker | handshakes | waves | broker CPU per CONNECT, ms (mean, min-max) | without JIT compilation, ms (mean, min-max) | CONNECTs/s (mean, min-max)"
                        + " | seconds until all connected | CONNACK p50 / p99 ms | TLS resumed | failures |\n");
        md.append("|---|---|---|---|---|---|---|---|---|---|\n");
        final Map<String, List<Wave>> groups = new LinkedHashMap<>();
        for (final Wave wave : waves) {
            groups.computeIfAbsent(wave.broker() + "|" + wave.mode(), key -> new ArrayList<>())
                    .add(wave);
        }
        final Map<String, Double> meanCpu = new LinkedHashMap<>();
        final Map<String, Double> meanSeconds = new LinkedHashMap<>();
        final Map<String, Double> meanWarm = new LinkedHashMap<>();
        for (final Map.Entry<String, List<Wave>> group : groups.entrySet()) {
            final List<Wave> list = group.getValue();
            final double cpu =
                    list.stream().mapToDouble(Wave::cpuPerConnect).average().orElse(Double.NaN);
            final double warm = list.stream()
                    .mapToDouble(Wave::cpuPerConnectWithoutJit)
                    .average()
                    .orElse(Double.NaN);
            meanCpu.put(group.getKey(), cpu);
            meanWarm.put(group.getKey(), warm);
            md.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %d | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.0f (%.0f-%.0f) | %.2f | %.0f / %.0f | %.0f%% | %d |\n",
                    list.get(0).broker(),
                    list.get(0).mode(),
                    list.size(),
                    cpu,
                    list.stream().mapToDouble(Wave::cpuPerConnect).min().orElse(Double.NaN),
                    list.stream().mapToDouble(Wave::cpuPerConnect).max().orElse(Double.NaN),
                    warm,
                    list.stream()
                            .mapToDouble(Wave::cpuPerConnectWithoutJit)
                            .min()
                            .orElse(Double.NaN),
                    list.stream()
                            .mapToDouble(Wave::cpuPerConnectWithoutJit)
                            .max()
                            .orElse(Double.NaN),
                    list.stream().mapToDouble(Wave::rate).average().orElse(Double.NaN),
                    list.stream().mapToDouble(Wave::rate).min().orElse(Double.NaN),
                    list.stream().mapToDouble(Wave::rate).max().orElse(Double.NaN),
                    list.stream().mapToDouble(Wave::seconds).average().orElse(Double.NaN),
                    list.stream()
                            .mapToDouble(w -> w.p50() == null ? Double.NaN : w.p50())
                            .average()
                            .orElse(Double.NaN),
                    list.stream()
                            .mapToDouble(w -> w.p99() == null ? Double.NaN : w.p99())
                            .average()
                            .orElse(Double.NaN),
                    100.0
                            * list.stream().mapToLong(Wave::resumed).sum()
                            / Math.max(
                                    1, list.stream().mapToLong(Wave::connects).sum()),
                    list.stream().mapToLong(Wave::failures).sum()));
            meanSeconds.put(
                    group.getKey(),
                    list.stream().mapToDouble(Wave::seconds).average().orElse(Double.NaN));
        }
        md.append(threads(groups));
        md.append("\nRatios (same run, same handshakes):\n\n");
        for (final String jdk : List.of("jdk17", "jdk25")) {
            for (final String mode : List.of("full", "resumed", "storm-again")) {
                final Double secure = meanCpu.get("certguard-" + jdk + "|" + mode);
                if (secure == null) {
                    continue;
                }
                md.append(String.format(Locale.ROOT, "- %s, %s: broker CPU per CONNECT", jdk, mode));
                ratio(md, meanCpu, meanWarm, "certguard / allow-all", "certguard-" + jdk, "allow-all-" + jdk, mode);
                ratio(
                        md,
                        meanCpu,
                        meanWarm,
                        "certguard with the JDK's X25519 / with CertguardX25519",
                        "certguard-jdkx25519-" + jdk,
                        "certguard-" + jdk,
                        mode);
                final Double mosquitto = meanCpu.get("mosquitto|" + mode);
                if (mosquitto != null) {
                    md.append(String.format(
                            Locale.ROOT, " certguard / Mosquitto with the CRL %.3f;", secure / mosquitto));
                }
                final Double bare = meanCpu.get("mosquitto-no-crl|" + mode);
                if (bare != null) {
                    md.append(String.format(Locale.ROOT, " certguard / Mosquitto without a CRL %.3f;", secure / bare));
                }
                if (mode.startsWith("storm") && meanSeconds.get("mosquitto|" + mode) != null) {
                    md.append(String.format(
                            Locale.ROOT,
                            " storm time certguard / Mosquitto with the CRL %.3f;",
                            meanSeconds.get("certguard-" + jdk + "|" + mode) / meanSeconds.get("mosquitto|" + mode)));
                }
                md.append('\n');
            }
        }
        return md.toString();
    }
}
