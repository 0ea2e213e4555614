package dev.certguard.bench.load;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/** Draws the comparison as a PNG: one panel per measure, one bar per broker. Stateless. */
final class Chart {

    private static final Color[] COLORS = {new Color(0x2b6cb0), new Color(0xa0aec0), new Color(0xdd6b20)};

    record Panel(String title, String unit, double[] values) {}

    private Chart() {}

    /** A white, anti-aliased image with {@code title} at its top left; the caller disposes of it. */
    static Graphics2D canvas(final BufferedImage image, final String title) {
        System.setProperty("java.awt.headless", "true");
        final Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, image.getWidth(), image.getHeight());
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 18));
        g.drawString(title, 20, 30);
        return g;
    }

    static void write(final Path file, final String title, final List<String> brokers, final List<Panel> panels)
            throws IOException {
        final int panelWidth = 330;
        final int height = 460;
        final BufferedImage image =
                new BufferedImage(panelWidth * panels.size() + 40, height, BufferedImage.TYPE_INT_RGB);
        final Graphics2D g = canvas(image, title);
        for (int p = 0; p < panels.size(); p++) {
            final Panel panel = panels.get(p);
            final int left = 20 + p * panelWidth + 30;
            final int bottom = height - 80;
            final int top = 120;
            double max = 0;
            for (final double value : panel.values()) {
                max = Math.max(max, value);
            }
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.drawString(panel.title(), left, 65);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            g.drawString(panel.unit(), left, 82);
            g.setStroke(new BasicStroke(1));
            g.drawLine(left, bottom, left + panelWidth - 60, bottom);
            final int barWidth = (panelWidth - 80) / panel.values().length;
            for (int b = 0; b < panel.values().length; b++) {
                final double value = panel.values()[b];
                final int barHeight = max <= 0 ? 0 : (int) ((bottom - top) * value / max);
                final int x = left + 5 + b * barWidth;
                g.setColor(COLORS[b % COLORS.length]);
                g.fillRect(x, bottom - barHeight, barWidth - 10, barHeight);
                g.setColor(Color.BLACK);
                g.drawString(String.format("%,.0f", value), x, bottom - barHeight - 5);
                g.drawString(brokers.get(b), x, bottom + 18);
            }
        }
        g.dispose();
        ImageIO.write(image, "png", file.toFile());
    }
}
