package dev.certguard.bench.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Draws measures against fleet size as a PNG: one panel per measure, one line per broker. Stateless. */
final class LineChart {

    private static final Color[] COLORS = {
        new Color(0x2b6cb0), new Color(0xdd6b20), new Color(0x38a169), new Color(0x805ad5)
    };

    /** A measure: its title, unit, and value for a broker at a fleet size (NaN: not measured). */
    record Panel(String title, String unit, Value value) {}

    interface Value {
        double of(String broker, int devices);
    }

    private LineChart() {}

    static void write(
            final Path file,
            final String title,
            final List<String> brokers,
            final int[] sizes,
            final List<Panel> panels)
            throws IOException {
        final int panelWidth = 330;
        final int height = 440;
        final BufferedImage image =
                new BufferedImage(panelWidth * panels.size() + 40, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = Chart.canvas(image, title);
        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int b = 0; b < brokers.size(); b++) {
            g.setColor(COLORS[b % COLORS.length]);
            g.fillRect(20 + b * 170, height - 30, 12, 12);
            g.setColor(Color.BLACK);
            g.drawString(brokers.get(b), 38 + b * 170, height - 19);
        }
        final int maxSize = sizes[sizes.length - 1];
        for (int p = 0; p < panels.size(); p++) {
            final Panel panel = panels.get(p);
            final int left = 20 + p * panelWidth + 40;
            final int right = left + panelWidth - 70;
            final int bottom = height - 80;
            final int top = 110;
            double max = 0;
            for (final String broker : brokers) {
                for (final int size : sizes) {
                    final double v = panel.value().of(broker, size);
                    if (!Double.isNaN(v)) {
                        max = Math.max(max, v);
                    }
                }
            }
            max = max <= 0 ? 1 : max * 1.1;
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(panel.title(), left - 30, 60);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(panel.unit() + " (0 to " + String.format("%,.0f", max) + ")", left - 30, 78);
            g.setStroke(new BasicStroke(1));
            g.drawLine(left, bottom, right, bottom);
            g.drawLine(left, bottom, left, top);
            for (final int size : sizes) {
                final int x = left + (int) ((right - left) * (double) size / maxSize);
                g.drawString(String.format("%,d", size), x - 18, bottom + 16);
            }
            g.setStroke(new BasicStroke(2));
            for (int b = 0; b < brokers.size(); b++) {
                g.setColor(COLORS[b % COLORS.length]);
                int lastX = -1;
                int lastY = -1;
                for (final int size : sizes) {
                    final double v = panel.value().of(brokers.get(b), size);
                    if (Double.isNaN(v)) {
                        continue;
                    }
                    final int x = left + (int) ((right - left) * (double) size / maxSize);
                    final int y = bottom - (int) ((bottom - top) * v / max);
                    g.fillOval(x - 3, y - 3, 7, 7);
                    if (lastX >= 0) {
                        g.drawLine(lastX, lastY, x, y);
                    }
                    g.drawString(String.format(v < 10 ? "%,.1f" : "%,.0f", v), x + 4, y - 4);
                    lastX = x;
                    lastY = y;
                }
            }
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
