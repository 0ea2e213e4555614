package dev.certguard.broker.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The lines a child process prints, read on a daemon thread so a test can wait for a given line.
 * Thread-safe for one test thread reading while the reader thread appends.
 */
public final class OutputLines {

    private final BlockingQueue<String> incoming = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();

    public OutputLines(final InputStream stream, final String threadName) {
        final Thread reader = new Thread(
                () -> {
                    try (BufferedReader in =
                            new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = in.readLine()) != null) {
                            incoming.add(line);
                        }
                    } catch (final IOException ignored) {
                        // The process ended; whatever it printed is queued.
                    }
                },
                threadName);
        reader.setDaemon(true);
        reader.start();
    }

    /** The first line containing {@code text}, waiting up to {@code timeout}; null if none came. */
    public String await(final String text, final Duration timeout) throws InterruptedException {
        final int index = awaitIndex(text, timeout);
        return index < 0 ? null : seen.get(index);
    }

    /** The line after the first one containing {@code text}, or null. */
    public String lineAfter(final String text, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final int index = awaitIndex(text, timeout);
        if (index < 0) {
            return null;
        }
        while (seen.size() <= index + 1) {
            final String line = incoming.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                return null;
            }
            seen.add(line);
        }
        return seen.get(index + 1);
    }

    /** Everything printed so far. */
    public String output() {
        incoming.drainTo(seen);
        return String.join("\n", seen);
    }

    private int awaitIndex(final String text, final Duration timeout) throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        for (int i = 0; i < seen.size(); i++) {
            if (seen.get(i).contains(text)) {
                return i;
            }
        }
        while (System.nanoTime() < deadline) {
            final String line = incoming.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            if (line == null) {
                break;
            }
            seen.add(line);
            if (line.contains(text)) {
                return seen.size() - 1;
            }
        }
        return -1;
    }
}
