package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.text.SafeLog;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;

/**
 * The discovered distribution point URLs, each with the second a certificate last named it, kept in
 * {@code crl-discovered.properties} so that a restarted broker registers them and puts their copies
 * kept on disk in use before any device reconnects (a restart storm does not wait for every partition
 * to download). Writes run on the executor given, replace the file atomically, and share one write
 * when they come while one is queued. Thread-safe.
 */
public final class DiscoveredUrlsFile {

    private static final SafeLog log = SafeLog.of(DiscoveredUrlsFile.class);

    private final @Nullable Path file;
    private final @NotNull Executor writer;
    private final AtomicBoolean queued = new AtomicBoolean();

    private DiscoveredUrlsFile(final @Nullable Path file, final @NotNull Executor writer) {
        this.file = file;
        this.writer = writer;
    }

    /** Keeps nothing (tests). */
    public static @NotNull DiscoveredUrlsFile none() {
        return new DiscoveredUrlsFile(null, Runnable::run);
    }

    /** The list in {@code file}, written on {@code writer}. */
    public static @NotNull DiscoveredUrlsFile at(final @NotNull Path file, final @NotNull Executor writer) {
        return new DiscoveredUrlsFile(file, writer);
    }

    /**
     * The URLs kept, by the second a certificate last named them; empty when there is no file or it
     * cannot be read (then a WARN). Blocking file I/O: call only at start.
     */
    public @NotNull Map<String, Long> read() {
        final Map<String, Long> urls = new LinkedHashMap<>();
        if (file == null || !Files.exists(file)) {
            return urls;
        }
        final Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
            for (final String url : properties.stringPropertyNames()) {
                urls.put(url, Long.parseLong(properties.getProperty(url).trim()));
            }
        } catch (final IOException | RuntimeException e) {
            log.warn(
                    "crl-extension: cannot read {} ({}); discovered distribution points are fetched again as"
                            + " devices need them",
                    file,
                    e.toString());
            urls.clear();
        }
        return urls;
    }

    /** Writes {@code current} (read when the write runs, so one write covers every change before it). */
    public void save(final @NotNull Supplier<Map<String, Long>> current) {
        if (file == null || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.execute(() -> {
                queued.set(false);
                write(current.get());
            });
        } catch (final RejectedExecutionException e) {
            queued.set(false); // the extension is stopping
        }
    }

    private void write(final Map<String, Long> urls) {
        final Properties properties = new Properties();
        urls.forEach((url, second) -> properties.setProperty(url, Long.toString(second)));
        try {
            Files.createDirectories(file.getParent());
            final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                properties.store(
                        out, "certguard crl-extension: discovered CRL distribution points (url=last named, epoch s)");
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException | RuntimeException e) {
            log.warn(
                    "crl-extension: cannot write {} ({}); after a restart devices wait for downloads",
                    file,
                    e.toString());
        }
    }
}
