package dev.certguard.broker.live;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.broker.testing.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;

/**
 * Edits a running broker's files the two ways operators do (in place, or a new file renamed over
 * the old one) and waits for the extension's reload counters to say it noticed.
 */
final class LiveFiles {

    private LiveFiles() {}

    static Path config(final TestBroker broker, final String extension) {
        return broker.home().extension(extension).resolve("conf").resolve("config.xml");
    }

    static void writeInPlace(final Path file, final String content) throws IOException {
        Files.writeString(file, content);
    }

    static void renameOver(final Path file, final String content) throws IOException {
        final Path next = file.resolveSibling(file.getFileName() + ".new");
        Files.writeString(next, content);
        Files.move(next, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Waits until the counter exceeds {@code before}; returns how long that took. */
    static Duration awaitCounter(
            final TestBroker broker,
            final String counter,
            final long before,
            final Duration timeout,
            final Instant since)
            throws InterruptedException {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (broker.counter(counter) <= before && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(broker.counter(counter)).as(counter + " within " + timeout).isGreaterThan(before);
        return Duration.between(since, Instant.now());
    }

    /** Replaces an extension's config.xml (unless it already has this content) and waits for the reload. */
    static Duration reconfigure(final TestBroker broker, final String extension, final String xml, final boolean rename)
            throws Exception {
        final Path file = config(broker, extension);
        if (Files.exists(file) && Files.readString(file).equals(xml)) {
            return Duration.ZERO;
        }
        final String counter = "dev.certguard." + extension + ".config.reload.successes";
        final long before = broker.counter(counter);
        final Instant at = Instant.now();
        if (rename) {
            renameOver(file, xml);
        } else {
            writeInPlace(file, xml);
        }
        return awaitCounter(broker, counter, before, Duration.ofSeconds(5), at);
    }
}
