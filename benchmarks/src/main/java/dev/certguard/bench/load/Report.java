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
public final class Report {

    private Report() {}

    static void write(
            final Path out,
            final Map<String, List<LoadTool.Result>> results,
            final int devices,
            final Duration measure,
            final int rounds,
            final Instant finished)
            throws IOException {
        final String stem = "compare-" + finished.toString().substring(0, 10);
        final List<String> brokers = new ArrayList<>(results.keySet());
        final StringBuilder md = new StringBuilder();
        md.append("Finished ")
                .append(finished)
                .append("; ")
                .append(devices)
                .append(" devices with distinct certificates, ")
                .append(measure.getSeconds())
                .append(" s measured per QoS after 3 s warm-up, ")
                .append(rounds)
                .append(" alternating rounds; values are the mean of the rounds (each round in brackets).\n\n");
        md.append(
                "| broker | mTLS connects/s | QoS 0 msg/s | QoS 0 p50 / p99 ms | QoS 1 msg/s | QoS 1 p50 / p99 ms |\n");
        md.append("|---|---|---|---|---|---|\n");
        for (final String broker : brokers) {
            final List<LoadTool.Result> runs = results.get(broker);
            md.append("| ")
                    .append(broker)
                    .append(" | ")
                    .append(cell(runs, LoadTool.Result::connectsPerSecond))
                    .append(" | ")
                    .append(cell(runs, r -> r.phases().get(0).messagesPerSecond()))
                    .append(" | ")
                    .append(String.format(
                            "%.1f / %.1f",
                            mean(runs, r -> r.phases().get(0).p50Millis()),
                            mean(runs, r -> r.phases().get(0).p99Millis())))
                    .append(" | ")
                    .append(cell(runs, r -> r.phases().get(1).messagesPerSecond()))
                    .append(" | ")
                    .append(String.format(
                            "%.1f / %.1f",
                            mean(runs, r -> r.phases().get(1).p50Millis()),
                            mean(runs, r -> r.phases().get(1).p99Millis())))
                    .append(" |\n");
        }
        md.append("\n| ratio | connects/s | QoS 0 msg/s | QoS 1 msg/s |\n|---|---|---|---|\n");
        for (final String other : brokers) {
            if (other.equals(Comparison.SECURE) || !results.containsKey(Comparison.SECURE)) {
                continue;
            }
            md.append("| ")
                    .append(Comparison.SECURE)
                    .append(" / ")
                    .append(other)
                    .append(" | ")
                    .append(ratio(results, other, LoadTool.Result::connectsPerSecond))
                    .append(" | ")
                    .append(ratio(results, other, r -> r.phases().get(0).messagesPerSecond()))
                    .append(" | ")
                    .append(ratio(results, other, r -> r.phases().get(1).messagesPerSecond()))
                    .append(" |\n");
        }
        Files.writeString(out.resolve(stem + ".md"), md.toString());
        System.out.println();
        System.out.println(md);
        final List<Chart.Panel> panels = List.of(
                new Chart.Panel(
                        "mTLS connect rate",
                        "connects per second",
                        values(results, brokers, LoadTool.Result::connectsPerSecond)),
                new Chart.Panel(
                        "Publish throughput, QoS 0",
                        "messages per second",
                        values(results, brokers, r -> r.phases().get(0).messagesPerSecond())),
                new Chart.Panel(
                        "Publish throughput, QoS 1",
                        "messages per second",
                        values(results, brokers, r -> r.phases().get(1).messagesPerSecond())));
        final StringBuilder tsv =
                new StringBuilder("broker\tconnects_per_s\tqos0_msg_per_s\tqos1_msg_per_s\tdevices\n");
        for (int i = 0; i < brokers.size(); i++) {
            tsv.append(brokers.get(i))
                    .append('\t')
                    .append(panels.get(0).values()[i])
                    .append('\t')
                    .append(panels.get(1).values()[i])
                    .append('\t')
                    .append(panels.get(2).values()[i])
                    .append('\t')
                    .append(devices)
                    .append('\n');
        }
        Files.writeString(out.resolve(stem + ".tsv"), tsv.toString());
        chart(out.resolve(stem + ".png"), brokers, panels, devices);
        System.out.println("written: " + out.resolve(stem + ".md") + " and " + out.resolve(stem + ".png"));
    }

    /** Redraws the chart from a run's {@code compare-<date>.tsv}, into the {@code .png} of the same name. */
    public static void redraw(final Path tsv) throws IOException {
        final List<String> lines = Files.readAllLines(tsv);
        final List<String> brokers = new ArrayList<>();
        final double[][] columns = new double[3][lines.size() - 1];
        int devices = 0;
        for (int i = 1; i < lines.size(); i++) {
            final String[] fields = lines.get(i).split("\t");
            brokers.add(fields[0]);
            for (int c = 0; c < 3; c++) {
                columns[c][i - 1] = Double.parseDouble(fields[c + 1]);
            }
            devices = Integer.parseInt(fields[4]);
        }
        chart(
                tsv.resolveSibling(tsv.getFileName().toString().replaceFirst("\\.tsv$", "") + ".png"),
                brokers,
                List.of(
                        new Chart.Panel("mTLS connect rate", "connects per second", columns[0]),
                        new Chart.Panel("Publish throughput, QoS 0", "messages per second", columns[1]),
                        new Chart.Panel("Publish throughput, QoS 1", "messages per second", columns[2])),
                devices);
    }

    private static void chart(
            final Path png, final List<String> brokers, final List<Chart.Panel> panels, final int devices)
            throws IOException {
        Chart.write(
                png,
                "certguard vs allow-all HiveMQ vs Mosquitto (" + devices + " mTLS devices, 2 cores)",
                brokers,
                panels);
    }

    private static double[] values(
            final Map<String, List<LoadTool.Result>> results,
            final List<String> brokers,
            final ToDoubleFunction<LoadTool.Result> metric) {
        return brokers.stream().mapToDouble(b -> mean(results.get(b), metric)).toArray();
    }

    private static String cell(final List<LoadTool.Result> runs, final ToDoubleFunction<LoadTool.Result> metric) {
        final StringBuilder each = new StringBuilder();
        for (final LoadTool.Result run : runs) {
            each.append(each.length() == 0 ? "" : ", ").append(String.format("%,.0f", metric.applyAsDouble(run)));
        }
        return String.format("%,.0f [%s]", mean(runs, metric), each);
    }

    private static String ratio(
            final Map<String, List<LoadTool.Result>> results,
            final String other,
            final ToDoubleFunction<LoadTool.Result> metric) {
        final double mine = mean(results.get(Comparison.SECURE), metric);
        final double theirs = mean(results.get(other), metric);
        return theirs <= 0 ? "n/a" : String.format("%.2f", mine / theirs);
    }

    private static double mean(final List<LoadTool.Result> runs, final ToDoubleFunction<LoadTool.Result> metric) {
        return runs.stream().mapToDouble(metric).average().orElse(0);
    }
}
