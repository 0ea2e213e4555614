package dev.certguard.bench.sim;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.management.ObjectName;

/**
 * The JVM's class histogram of live objects (the one {@code jcmd GC.class_histogram} prints), and
 * what grew between two of them: which classes a fleet's connections cost. Immutable.
 */
final class Histogram {

    /** Instances and bytes of one class. */
    record Row(String type, long instances, long bytes) {}

    private final Map<String, Row> rows;

    private Histogram(final Map<String, Row> rows) {
        this.rows = rows;
    }

    /** The live objects now (a full GC first, as {@code GC.class_histogram} does). */
    static Histogram now() {
        try {
            final String text = (String) ManagementFactory.getPlatformMBeanServer()
                    .invoke(
                            new ObjectName("com.sun.management:type=DiagnosticCommand"),
                            "gcClassHistogram",
                            new Object[] {new String[0]},
                            new String[] {String[].class.getName()});
            final Map<String, Row> rows = new HashMap<>();
            for (final String line : text.split("\n")) {
                final String[] fields = line.trim().split("\\s+");
                if (fields.length >= 4 && fields[0].endsWith(":")) {
                    rows.put(fields[3], new Row(fields[3], Long.parseLong(fields[1]), Long.parseLong(fields[2])));
                }
            }
            return new Histogram(rows);
        } catch (final Exception e) {
            throw new IllegalStateException("no class histogram: " + e, e);
        }
    }

    /** The classes that grew most from {@code before} to this, largest first. */
    List<Row> grownSince(final Histogram before, final int top) {
        final List<Row> grown = new ArrayList<>();
        for (final Row row : rows.values()) {
            final Row old = before.rows.get(row.type());
            final long bytes = row.bytes() - (old == null ? 0 : old.bytes());
            final long instances = row.instances() - (old == null ? 0 : old.instances());
            if (bytes > 0) {
                grown.add(new Row(row.type(), instances, bytes));
            }
        }
        grown.sort((a, b) -> Long.compare(b.bytes(), a.bytes()));
        return grown.subList(0, Math.min(top, grown.size()));
    }

    /** A table of what grew, per connection. */
    static String table(final String title, final List<Row> grown, final int connections) {
        final StringBuilder out = new StringBuilder(
                "\n" + title + "\n\n| class | instances per connection | bytes per connection |\n|---|---|---|\n");
        for (final Row row : grown) {
            out.append(String.format(
                    "| `%s` | %.2f | %.1f |%n",
                    row.type(), row.instances() / (double) connections, row.bytes() / (double) connections));
        }
        return out.toString();
    }
}
