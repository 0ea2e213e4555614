package dev.certguard.bench.load;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/** Turns the rounds into the table, the ratios, a markdown file and a chart. Stateless. */
final class Report {

    private Report() {
    }

    static void write(final Path out, final Map<String, List<LoadTool.Result>> results, final int devices, final Duration measure,
                      final int rounds, final Instant finished) throws IOException {
        final List<String> brokers = new ArrayList<>(results.keySet());
        final StringBuilder md = new StringBuilder();
        md.append("Finished ").append(finished).append("; ").append(devices).append(" devices with distinct certificates, ")
                .append(measure.getSeconds()).append(" s measured per QoS after 3 s warm-up, ").append(rounds)
                .append(" alternating rounds; values are the mean of the rounds (each round in brackets).\n\n");
        md.append("| broker | mTLS connects/s | QoS 0 msg/s | QoS 0 p50 / p99 ms | QoS 1 msg/s | QoS 1 p50 / p99 ms |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (final String broker : brokers) {
            final List<LoadTool.Result> runs = results.get(broker);
            md.append("| ").append(broker)
                    .append(" | ").append(cell(runs, LoadTool.Result::connectsPerSecond))
                    .append(" | ").append(cell(runs, r -> r.phases().get(0).messagesPerSecond()))
                    .append(" | ").append(String.format("%.1f / %.1f", mean(runs, r -> r.phases().get(0).p50Millis()), mean(runs, r -> r.phases().get(0).p99Millis())))
                    .append(" | ").append(cell(runs, r -> r.phases().get(1).messagesPerSecond()))
                    .append(" | ").append(String.format("%.1f / %.1f", mean(runs, r -> r.phases().get(1).p50Millis()), mean(runs, r -> r.phases().get(1).p99Millis())))
                    .append(" |\n");
        }
        md.append("\n| ratio | connects/s | QoS 0 msg/s | QoS 1 msg/s |\n|---|---|---|---|\n");
        for (final String other : List.of(Comparison.BASELINE, Comparison.MOSQUITTO)) {
            md.append("| ").append(Comparison.SECURE).append(" / ").append(other)
                    .append(" | ").append(ratio(results, other, LoadTool.Result::connectsPerSecond))
                    .append(" | ").append(ratio(results, other, r -> r.phases().get(0).messagesPerSecond()))
                    .append(" | ").append(ratio(results, other, r -> r.phases().get(1).messagesPerSecond()))
                    .append(" |\n");
        }
        Files.writeString(out.resolve("comparison.md"), md.toString());
        System.out.println();
        System.out.println(md);
        final List<Chart.Panel> panels = List.of(
                new Chart.Panel("mTLS connect rate", "connects per second", values(results, brokers, LoadTool.Result::connectsPerSecond)),
                new Chart.Panel("Publish throughput, QoS 0", "messages per second", values(results, brokers, r -> r.phases().get(0).messagesPerSecond())),
                new Chart.Panel("Publish throughput, QoS 1", "messages per second", values(results, brokers, r -> r.phases().get(1).messagesPerSecond())));
        Chart.write(out.resolve("comparison.png"), "certguard vs allow-all HiveMQ vs Mosquitto (" + devices + " mTLS devices, 2 cores)", brokers, panels);
        System.out.println("written: " + out.resolve("comparison.md") + " and " + out.resolve("comparison.png"));
    }

    private static double[] values(final Map<String, List<LoadTool.Result>> results, final List<String> brokers, final ToDoubleFunction<LoadTool.Result> metric) {
        return brokers.stream().mapToDouble(b -> mean(results.get(b), metric)).toArray();
    }

    private static String cell(final List<LoadTool.Result> runs, final ToDoubleFunction<LoadTool.Result> metric) {
        final StringBuilder each = new StringBuilder();
        for (final LoadTool.Result run : runs) {
            each.append(each.length() == 0 ? "" : ", ").append(String.format("%,.0f", metric.applyAsDouble(run)));
        }
        return String.format("%,.0f [%s]", mean(runs, metric), each);
    }

    private static String ratio(final Map<String, List<LoadTool.Result>> results, final String other, final ToDoubleFunction<LoadTool.Result> metric) {
        final double mine = mean(results.get(Comparison.SECURE), metric);
        final double theirs = mean(results.get(other), metric);
        return theirs <= 0 ? "n/a" : String.format("%.2f", mine / theirs);
    }

    private static double mean(final List<LoadTool.Result> runs, final ToDoubleFunction<LoadTool.Result> metric) {
        return runs.stream().mapToDouble(metric).average().orElse(0);
    }
}
