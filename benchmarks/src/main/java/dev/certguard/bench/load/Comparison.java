package dev.certguard.bench.load;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One command, three brokers, alternating: (a) the secure broker (all three certguard extensions,
 * a 100,000-entry CRL), (b) the same embedded HiveMQ and TLS listener with an allow-all extension,
 * (c) Mosquitto from Debian configured as close as it allows. Prints the table and the ratios and
 * writes them with a chart to the output folder. Run from the repository root after
 * {@code mvn -B -q package -DskipTests}.
 */
public final class Comparison {

    static final String SECURE = BenchBrokers.SECURE;
    static final int CRL_ENTRIES = 100_000;
    static final String BASELINE = BenchBrokers.BASELINE;
    static final String MOSQUITTO = BenchBrokers.MOSQUITTO;

    private final Path out;
    private final int devices;
    private final Duration warmup;
    private final Duration measure;
    private final int rounds;
    private final List<String> brokers;

    Comparison(
            final Path out,
            final int devices,
            final Duration warmup,
            final Duration measure,
            final int rounds,
            final List<String> brokers) {
        this.brokers = brokers;
        this.out = out;
        this.devices = devices;
        this.warmup = warmup;
        this.measure = measure;
        this.rounds = rounds;
    }

    public static void main(final String[] args) throws Exception {
        Path out = Path.of("benchmarks/target/compare");
        int devices = 200;
        int seconds = 10;
        int rounds = 2;
        String brokers = SECURE + "," + BASELINE + "," + MOSQUITTO;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--brokers" -> brokers = args[++i];
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + " (--out DIR --devices N --seconds S --rounds R --brokers certguard,allow-all,mosquitto"
                            + "[,allow-all-suback,allow-all-permissions])");
            }
        }
        new Comparison(
                        out,
                        devices,
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(seconds),
                        rounds,
                        List.of(brokers.split(",")))
                .run();
    }

    void run() throws Exception {
        final BenchBrokers setup = BenchBrokers.prepare(out, CRL_ENTRIES);
        System.out.printf("issuing %d device certificates%n", devices);
        final List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            fleet.add(Device.issue(setup.ca(), String.format("bench:d%05d", i)));
        }
        final Device bridge = Device.issue(setup.ca(), "v2k-bridge");
        final int port = setup.port();
        final Map<String, List<String>> commands = setup.commands(BenchBrokers.currentJava());
        commands.keySet().retainAll(brokers);

        final Map<String, List<LoadTool.Result>> results = new LinkedHashMap<>();
        brokers.forEach(name -> results.put(name, new ArrayList<>()));
        // The load generator's own JIT must be warm before the first measured run, or whichever
        // broker comes first is measured against a cold client: one discarded pass first.
        System.out.printf("%n=== warm-up pass (discarded): %s ===%n", brokers.get(0));
        runOnce(brokers.get(0), commands.get(brokers.get(0)), port, fleet, bridge, "warmup");
        for (int round = 1; round <= rounds; round++) {
            // Rotate the order every round, so no broker is always measured first or last.
            final List<String> order = new ArrayList<>(brokers);
            Collections.rotate(order, -(round - 1));
            for (final String name : order) {
                System.out.printf("%n=== round %d of %d: %s ===%n", round, rounds, name);
                results.get(name).add(runOnce(name, commands.get(name), port, fleet, bridge, String.valueOf(round)));
            }
        }
        Report.write(out, results, devices, measure, rounds, Instant.now());
    }

    private LoadTool.Result runOnce(
            final String name,
            final List<String> command,
            final int port,
            final List<Device> fleet,
            final Device bridge,
            final String label)
            throws Exception {
        if (command == null) {
            throw new IllegalArgumentException("unknown broker " + name);
        }
        final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        out.resolve("logs").resolve(name + "-" + label + ".log").toFile())
                .start();
        try {
            BenchBrokers.awaitPort(port, process, Duration.ofSeconds(120));
            Thread.sleep(1000);
            return new LoadTool("localhost", port, fleet, bridge, warmup, measure).run(name);
        } finally {
            process.toHandle().destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            BenchBrokers.awaitPortFree(port);
        }
    }
}
