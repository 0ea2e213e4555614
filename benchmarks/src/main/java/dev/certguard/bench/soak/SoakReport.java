package dev.certguard.bench.soak;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;
import javax.imageio.ImageIO;

/** Writes a soak's {@code samples.csv}, {@code removals.csv}, {@code report.md} and {@code soak.png}. Stateless. */
final class SoakReport {

    /** How many samples at each end of the flat window one figure is the median of. */
    static final int FLAT_SAMPLES = 3;

    private record Series(String name, Color color, ToDoubleFunction<Sample> value) {}

    private SoakReport() {}

    static void write(final Path out, final SoakResult result, final List<Double> eventTimes) throws IOException {
        final StringBuilder csv = new StringBuilder(Sample.CSV_HEADER).append('\n');
        result.samples.forEach(s -> csv.append(s.csv()).append('\n'));
        Files.writeString(out.resolve("samples.csv"), csv);
        final StringBuilder removals = new StringBuilder(
                "identity,kind,removed_at,crl_served_at,broker_effect_at,broker_how,device_saw_at,device_how,"
                        + "connected_at_removal,millis_to_broker_effect,hivemq_close_millis\n");
        for (final SoakResult.Removal x : result.removals) {
            removals.append(String.join(
                            ",",
                            x.identity(),
                            x.kind().name(),
                            String.valueOf(x.removedAt()),
                            String.valueOf(x.crlServedAt()),
                            String.valueOf(x.brokerEffectAt()),
                            String.valueOf(x.brokerHow()),
                            String.valueOf(x.effectAt()),
                            String.valueOf(x.how()),
                            String.valueOf(x.connectedAtRemoval()),
                            String.valueOf(
                                    x.millisFrom(x.kind() == Member.Removal.REVOKED ? x.crlServedAt() : x.removedAt())),
                            String.valueOf(x.hivemqCloseMillis())))
                    .append('\n');
        }
        Files.writeString(out.resolve("removals.csv"), removals);
        chart(out.resolve("soak.png"), result, eventTimes);
        Files.writeString(out.resolve("report.md"), markdown(result));
    }

    static String markdown(final SoakResult r) {
        final StringBuilder md = new StringBuilder();
        md.append("# Soak ")
                .append(r.passed() ? "passed" : "FAILED")
                .append(", ")
                .append(r.finishedAt)
                .append("\n\n");
        md.append("`").append(r.options.commandLine()).append("`\n\n");
        md.append("| figure | value | target |\n|---|---|---|\n");
        row(md, "devices / run length", r.options.devices() + " / " + r.options.seconds() + " s", "");
        row(md, "CONNECTs accepted (driver's count)", r.connects, "");
        row(md, "lifetime cuts (0xA0)", r.lifetimeCuts, "");
        row(md, "restarts (SIGKILL)", r.restarts, "");
        row(md, "forbidden deliveries", r.forbiddenDeliveries, "0");
        row(md, "forbidden subscriptions granted", r.forbiddenGrants, "0");
        row(md, "forbidden publishes acknowledged", r.forbiddenPublishesAccepted, "0");
        row(md, "revoked, denied or unchecked certificates accepted", r.revokedAccepted, "0");
        row(md, "devices never removed but cut or refused 0x87", r.innocentCuts, "0");
        row(md, "CONNECTs accepted while no CRL was usable (outage past nextUpdate)", r.unchecked, "0");
        row(md, "soak steps that failed", r.driverFailures, "0");
        row(md, "spy attempts / forbidden filters refused in SUBACKs", r.spyCycles + " / " + r.spyFiltersRefused, "");
        row(md, "probes with removed certificates / refused", r.probes + " / " + r.probesRefused, "all refused");
        row(md, "CRL revocations / deny-list entries", r.crlRevocations() + " / " + r.denials(), "");
        row(md, "removals never in force", r.removalsNotInForce(), "0");
        row(
                md,
                "removals cut live / refused at their next CONNECT (broker's audit trail)",
                r.cutAndRefused()[0] + " / " + r.cutAndRefused()[1],
                "");
        row(
                md,
                "live cut after the CRL was served, max: certguard's own (in all, with HiveMQ closing the connection)",
                r.maxCutAfterServeMillis(true) + " ms (" + r.maxCutAfterServeMillis(false) + " ms)",
                "own <= 1000 ms");
        row(
                md,
                "revocation to live cut (first fetch answered well), max: own (in all)",
                r.maxRevocationToCutMillis(true) + " ms (" + r.maxRevocationToCutMillis(false) + " ms)",
                "own <= " + (r.options.refreshSeconds() * 1000 + 1000) + " ms");
        row(
                md,
                "deny-list entry to live cut, max: own (in all)",
                r.maxDenyToCutMillis(true) + " ms (" + r.maxDenyToCutMillis(false) + " ms)",
                "own <= 3000 ms");
        row(md, "the same, until the device saw the DISCONNECT, max", r.maxClientSawCutMillis() + " ms", "reported");
        row(md, "CONNECTs refused 0x88 (no usable CRL)", r.refusedUnavailable, "only in outage / restart windows");
        row(
                md,
                "samples where tracked records != connections, outside / during a reconnect storm (SIGKILL, no usable CRL)",
                r.samplesDisagreeing() + " / " + r.stormSamplesDisagreeing() + " of " + r.samples(),
                "0 outside; reported during");
        row(
                md,
                "records once every client had gone",
                "connections " + r.drained.connections() + ", acl " + r.drained.aclTracked() + ", crl "
                        + r.drained.crlTracked() + ", disconnect " + r.drained.disconnectTracked() + ", client ids "
                        + r.drained.clientIdsTracked(),
                "all 0");
        row(md, "attrs acknowledged / never delivered to v2k", r.attrsAcked + " / " + r.attrsMissed, "reported");
        row(
                md,
                "config acknowledged / never delivered to its device",
                r.configAcked + " / " + r.configMissed,
                "reported");
        row(md, "ERROR lines in the broker's logs", r.errorLines.size(), "0");
        row(md, "notes (unexpected, not a security failure; listed below)", r.notes, "");
        final double[] heap = flatness(r, Sample::heapAfterGcBytes);
        final double[] cache = flatness(r, Sample::persistenceCacheBytes);
        final double[] besides = flatness(r, Sample::heapBesidesCacheBytes);
        final double[] threads = flatness(r, s -> s.threads());
        final double[] fds = flatness(r, s -> s.fileDescriptors());
        final double[] other = flatness(r, SoakReport::otherDescriptors);
        final double[] connections = flatness(r, s -> s.connections());
        final double[] sessions = flatness(r, s -> s.sessions());
        row(
                md,
                "connections at the start and the end of that window",
                (int) connections[0] + " -> " + (int) connections[1],
                "");
        row(
                md,
                "HiveMQ sessions (connected and offline) at the start and the end of that window",
                (int) sessions[0] + " -> " + (int) sessions[1],
                "");
        row(
                md,
                "retained heap (live objects after a full GC), " + since(r) + " -> end",
                mb(heap[0]) + " -> " + mb(heap[1]) + pct(heap),
                "reported");
        row(
                md,
                "of which HiveMQ's persistence page cache (Xodus log pages), " + since(r) + " -> end",
                mb(cache[0]) + " -> " + mb(cache[1]),
                "reported (a cache HiveMQ fills up to a share of the heap)");
        row(
                md,
                "retained heap besides that cache, " + since(r) + " -> end",
                mb(besides[0]) + " -> " + mb(besides[1]) + pct(besides),
                "no growth beyond 5%");
        row(
                md,
                "live threads, " + since(r) + " -> end",
                (int) threads[0] + " -> " + (int) threads[1] + pct(threads),
                "no growth beyond 5%");
        row(
                md,
                "file descriptors, " + since(r) + " -> end",
                (int) fds[0] + " -> " + (int) fds[1] + pct(fds),
                "reported");
        row(
                md,
                "file descriptors besides client sockets, " + since(r) + " -> end",
                (int) other[0] + " -> " + (int) other[1] + pct(other),
                "no growth beyond 5%");
        md.append("\nHow the spy's forbidden publishes ended: ")
                .append(r.spyOutcomes)
                .append("\n");
        md.append("\nCRL server answers: ").append(r.crlAnswers).append("\n\n");
        md.append("Timeline:\n\n```\n");
        r.events.forEach(e -> md.append(e).append('\n'));
        md.append("```\n");
        if (!r.noteExamples.isEmpty()) {
            md.append("\nFirst notes (unexpected, not a security failure):\n\n```\n");
            r.noteExamples.forEach(e -> md.append(e).append('\n'));
            md.append("```\n");
        }
        if (!r.examples.isEmpty()) {
            md.append("\nFirst violations:\n\n```\n");
            r.examples.stream().limit(40).forEach(e -> md.append(e).append('\n'));
            md.append("```\n");
        }
        if (!r.passed()) {
            md.append("\nFailures:\n\n");
            r.failures().forEach(f -> md.append("- ").append(f).append('\n'));
        }
        return md.toString();
    }

    /** Open descriptors of the broker that are not client connections (HiveMQ's count, handshakes included). */
    static double otherDescriptors(final Sample sample) {
        return sample.fileDescriptors() < 0 || sample.connections() < 0
                ? Double.NaN
                : sample.fileDescriptors() - sample.connections();
    }

    /** The first value at or after minute 5 (or the first sample in shorter runs) and the last value. */
    /**
     * The value at the start of the flat window and at the end, each the median of the first and the
     * last {@value #FLAT_SAMPLES} measured samples, so one GC that happened to run late or early
     * moves neither.
     */
    static double[] flatness(final SoakResult r, final ToDoubleFunction<Sample> value) {
        final List<Double> measured = new ArrayList<>();
        for (final Sample sample : r.samples) {
            final double v = value.applyAsDouble(sample);
            if (!Double.isNaN(v) && v >= 0 && sample.seconds() >= r.flatFromSeconds) {
                measured.add(v);
            }
        }
        if (measured.isEmpty()) {
            return new double[] {Double.NaN, Double.NaN};
        }
        final int n = Math.min(FLAT_SAMPLES, measured.size());
        return new double[] {
            median(measured.subList(0, n)), median(measured.subList(measured.size() - n, measured.size()))
        };
    }

    private static double median(final List<Double> values) {
        final List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }

    private static String since(final SoakResult r) {
        return String.format(Locale.ROOT, "t=%.0f s", r.flatFromSeconds);
    }

    private static String pct(final double[] pair) {
        return Double.isNaN(pair[0]) || pair[0] == 0
                ? ""
                : String.format(Locale.ROOT, " (%+.1f%%)", 100 * (pair[1] - pair[0]) / pair[0]);
    }

    private static String mb(final double bytes) {
        return Double.isNaN(bytes) ? "-" : String.format(Locale.ROOT, "%.1f MB", bytes / 1048576.0);
    }

    private static void row(final StringBuilder md, final String figure, final Object value, final String target) {
        md.append("| ")
                .append(figure)
                .append(" | ")
                .append(value)
                .append(" | ")
                .append(target)
                .append(" |\n");
    }

    private static void chart(final Path file, final SoakResult r, final List<Double> eventTimes) throws IOException {
        System.setProperty("java.awt.headless", "true");
        final List<List<Series>> panels = List.of(
                List.of(
                        new Series("HiveMQ connections", new Color(0x2b6cb0), s -> s.connections()),
                        new Series("acl tracked", new Color(0x38a169), s -> s.aclTracked()),
                        new Series("crl tracked", new Color(0xdd6b20), s -> s.crlTracked()),
                        new Series("disconnect tracked", new Color(0x805ad5), s -> s.disconnectTracked())),
                List.of(
                        new Series("retained heap (MB)", new Color(0x2b6cb0), s -> s.heapAfterGcBytes() / 1048576.0),
                        new Series(
                                "heap besides page cache (MB)",
                                new Color(0x38a169),
                                s -> s.heapBesidesCacheBytes() / 1048576.0)),
                List.of(
                        new Series("live threads", new Color(0x38a169), s -> s.threads()),
                        new Series("file descriptors", new Color(0xdd6b20), s -> s.fileDescriptors())),
                List.of(
                        new Series("revocations issued", new Color(0xc53030), s -> s.revocations()),
                        new Series("entries in the broker's CRL", new Color(0x2b6cb0), s -> s.crlEntries())));
        final int width = 1200;
        final int panelHeight = 230;
        final int height = 60 + panels.size() * panelHeight;
        final BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, width, height);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(
                String.format(
                        "certguard soak: %d devices, %d s, lifetime %d s (jitter %d%%), chaos %.0f%%; vertical lines:"
                                + " outage and restart events",
                        r.options.devices(),
                        r.options.seconds(),
                        r.options.lifetimeSeconds(),
                        r.options.jitterPercent(),
                        100 * r.options.chaosShare()),
                20,
                28);
        final double maxT = Math.max(
                1, r.samples.isEmpty() ? 1 : r.samples.get(r.samples.size() - 1).seconds());
        for (int p = 0; p < panels.size(); p++) {
            final int top = 50 + p * panelHeight + 20;
            final int bottom = top + panelHeight - 60;
            final int left = 80;
            final int right = width - 260;
            double max = 0;
            for (final Series series : panels.get(p)) {
                for (final Sample sample : r.samples) {
                    final double v = series.value().applyAsDouble(sample);
                    if (!Double.isNaN(v)) {
                        max = Math.max(max, v);
                    }
                }
            }
            max = max <= 0 ? 1 : max * 1.1;
            g.setColor(Color.GRAY);
            g.setStroke(new BasicStroke(1));
            g.drawRect(left, top, right - left, bottom - top);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int i = 0; i <= 4; i++) {
                final int y = bottom - (bottom - top) * i / 4;
                g.drawString(String.format(Locale.ROOT, "%.0f", max * i / 4), 10, y + 4);
                final int x = left + (right - left) * i / 4;
                g.drawString(String.format(Locale.ROOT, "%.0f s", maxT * i / 4), x - 10, bottom + 16);
            }
            g.setColor(new Color(0xe53e3e));
            for (final double t : eventTimes) {
                final int x = left + (int) ((right - left) * t / maxT);
                g.drawLine(x, top, x, bottom);
            }
            int legend = top + 14;
            for (final Series series : panels.get(p)) {
                g.setColor(series.color());
                g.setStroke(new BasicStroke(2));
                final List<int[]> points = new ArrayList<>();
                for (final Sample sample : r.samples) {
                    final double v = series.value().applyAsDouble(sample);
                    if (Double.isNaN(v) || v < 0) {
                        continue;
                    }
                    points.add(new int[] {
                        left + (int) ((right - left) * sample.seconds() / maxT),
                        bottom - (int) ((bottom - top) * v / max)
                    });
                }
                for (int i = 1; i < points.size(); i++) {
                    g.drawLine(points.get(i - 1)[0], points.get(i - 1)[1], points.get(i)[0], points.get(i)[1]);
                }
                if (points.size() == 1) {
                    g.fillOval(points.get(0)[0] - 2, points.get(0)[1] - 2, 5, 5);
                }
                g.fillRect(right + 15, legend - 8, 12, 8);
                g.setColor(Color.BLACK);
                g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
                g.drawString(series.name(), right + 32, legend);
                legend += 18;
            }
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
