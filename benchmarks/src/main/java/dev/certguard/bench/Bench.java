package dev.certguard.bench;

import dev.certguard.bench.load.Comparison;
import java.util.Arrays;

/**
 * {@code java -jar benchmarks/target/benchmarks.jar micro|footprint|compare [options]}, from the
 * repository root.
 */
public final class Bench {

    private Bench() {}

    public static void main(final String[] args) throws Exception {
        final String command = args.length == 0 ? "" : args[0];
        final String[] rest = args.length == 0 ? args : Arrays.copyOfRange(args, 1, args.length);
        switch (command) {
            case "micro" ->
                org.openjdk.jmh.Main.main(
                        rest.length > 0
                                ? rest
                                : new String[] {
                                    "-f",
                                    "1",
                                    "-wi",
                                    "3",
                                    "-w",
                                    "1s",
                                    "-i",
                                    "5",
                                    "-r",
                                    "1s",
                                    "dev.certguard.bench.micro"
                                });
            case "footprint" -> Footprint.run();
            case "simulate" -> dev.certguard.bench.sim.Simulation.main(rest);
            case "compare" -> Comparison.main(rest);
            case "connect" -> dev.certguard.bench.load.ConnectBenchmark.main(rest);
            case "scale" -> dev.certguard.bench.load.ScaleBenchmark.main(rest);
            case "soak" -> dev.certguard.bench.soak.Soak.main(rest);
            case "chart" -> {
                final String tsv = rest.length > 0 ? rest[0] : "benchmarks/results/compare-2026-11-22-3-brokers.tsv";
                dev.certguard.bench.load.Report.redraw(java.nio.file.Path.of(tsv));
            }
            default -> {
                System.err.println(
                        "usage: java -jar benchmarks/target/benchmarks.jar micro [JMH options] | footprint | simulate [--sizes 10000,100000,1000000] [--out FILE] | chart [FILE.tsv] | compare "
                                + "[--devices N] [--seconds S] [--rounds R] [--out DIR] | connect [--connections N]"
                                + " [--waves W] [--rounds R] [--brokers a,b] [--modes full,resumed,storm] [--jfr true]"
                                + " | scale [--sizes 5000,10000,18000] [--brokers certguard,allow-all] [--processes P]"
                                + " | soak [--devices N] [--minutes M] (soak --help lists every option)");
                System.exit(2);
            }
        }
    }
}
