package dev.certguard.reload;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.text.SafeLog;
import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Notices changes to a few small files (an extension's {@code conf/config.xml}, a deny list), whether
 * edited in place, replaced by an atomic rename, re-linked (Kubernetes ConfigMaps) or deleted, and
 * calls each file's listener on this watcher's one thread. A directory watch wakes it at once;
 * a periodic check every {@code poll} is the fallback for file systems that raise no events (network
 * mounts, some container overlays). A change is reported only once the file has stayed the same for
 * {@code settle} (an editor's half-written file is not read) and only when its content (or its
 * existence) changed, so touching a file reloads nothing. Every {@value #FULL_READ_EVERY} polls the
 * content is read even when size and modification time look unchanged (copies that keep times).
 * Thread-safe: files are added and removed from any thread; listeners run on the watcher thread only.
 */
public final class FileWatcher {

    private static final SafeLog log = SafeLog.of(FileWatcher.class);
    static final int FULL_READ_EVERY = 10;
    private static final int MAX_SETTLE_ROUNDS = 50;

    /** The file's look on disk: existence, size, time, inode (when the file system has one). */
    private static final class Stamp {
        final boolean exists;
        final long size;
        final long modified;
        final @Nullable Object key;

        Stamp(final boolean exists, final long size, final long modified, final @Nullable Object key) {
            this.exists = exists;
            this.size = size;
            this.modified = modified;
            this.key = key;
        }

        @Override
        public boolean equals(final Object other) {
            if (!(other instanceof Stamp)) {
                return false;
            }
            final Stamp that = (Stamp) other;
            return exists == that.exists
                    && size == that.size
                    && modified == that.modified
                    && Objects.equals(key, that.key);
        }

        @Override
        public int hashCode() {
            return Objects.hash(exists, size, modified, key);
        }
    }

    private static final class Watched {
        final @NotNull Runnable listener;

        @Nullable Stamp stamp;

        byte @Nullable [] digest;

        Watched(final @NotNull Runnable listener) {
            this.listener = listener;
        }
    }

    private final @NotNull String extension;
    private final @NotNull Duration poll;
    private final @NotNull Duration settle;
    private final Map<Path, Watched> files = new ConcurrentHashMap<>();
    private final Map<Path, WatchKey> directories = new ConcurrentHashMap<>();
    private final @Nullable WatchService service;
    private volatile @Nullable Thread thread;
    private volatile boolean stopped;

    public FileWatcher(final @NotNull String extension, final @NotNull Duration poll, final @NotNull Duration settle) {
        this.extension = extension;
        this.poll = poll;
        this.settle = settle;
        WatchService created = null;
        try {
            created = FileSystems.getDefault().newWatchService();
        } catch (final IOException | UnsupportedOperationException e) {
            log.info("{}: no file-system events here ({}); checking files every {} ms", extension, e, poll.toMillis());
        }
        this.service = created;
    }

    /**
     * Watches {@code file}: {@code listener} runs whenever its content changes from what it is now
     * (the current content is the baseline, so adding a file reports nothing). Replaces an earlier
     * listener of the same file.
     */
    public void watch(final @NotNull Path file, final @NotNull Runnable listener) {
        final Path absolute = file.toAbsolutePath().normalize();
        final Watched watched = new Watched(listener);
        watched.stamp = stamp(absolute);
        watched.digest = digest(absolute);
        files.put(absolute, watched);
        register(absolute.getParent());
    }

    /** Stops watching {@code file}. */
    public void unwatch(final @NotNull Path file) {
        files.remove(file.toAbsolutePath().normalize());
    }

    /** Starts the watcher thread (only the extension's main class calls this). */
    public void start(final @NotNull ThreadFactory threads) {
        final Thread started = threads.newThread(this::loop);
        thread = started;
        started.start();
    }

    /** Stops the thread; no listener runs afterwards. */
    public void stop() {
        stopped = true;
        final Thread running = thread;
        if (running != null) {
            running.interrupt();
        }
        if (service != null) {
            try {
                service.close();
            } catch (final IOException ignored) {
                // closing only releases the watch
            }
        }
    }

    /** Checks every file once on the caller's thread and runs the listeners of changed ones (tests). */
    public void checkNow(final boolean readContent) {
        for (final Map.Entry<Path, Watched> entry : files.entrySet()) {
            check(entry.getKey(), entry.getValue(), readContent);
        }
    }

    private void register(final @Nullable Path directory) {
        if (service == null || directory == null || directories.containsKey(directory)) {
            return;
        }
        try {
            directories.put(
                    directory,
                    directory.register(
                            service,
                            StandardWatchEventKinds.ENTRY_CREATE,
                            StandardWatchEventKinds.ENTRY_MODIFY,
                            StandardWatchEventKinds.ENTRY_DELETE));
        } catch (final IOException | RuntimeException e) {
            // The periodic check still sees the file (and the directory, once it exists).
            log.debug("{}: cannot watch {}: {}", extension, directory, e.toString());
        }
    }

    private void loop() {
        int polls = 0;
        while (!stopped) {
            try {
                waitForEvent();
                polls++;
                final boolean readContent = polls % FULL_READ_EVERY == 0;
                for (final Map.Entry<Path, Watched> entry : files.entrySet()) {
                    register(entry.getKey().getParent());
                    check(entry.getKey(), entry.getValue(), readContent);
                }
            } catch (final InterruptedException e) {
                if (stopped) {
                    return;
                }
            } catch (final RuntimeException e) {
                // The watcher serves every reload of the extension: it must outlive any one failure.
                log.warn("{}: checking configuration files failed: {}", extension, e.toString());
            }
        }
    }

    private void waitForEvent() throws InterruptedException {
        if (service == null) {
            Thread.sleep(poll.toMillis());
            return;
        }
        final WatchKey key;
        try {
            key = service.poll(poll.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final java.nio.file.ClosedWatchServiceException e) {
            throw new InterruptedException("watch service closed");
        }
        if (key != null) {
            key.pollEvents();
            if (!key.reset()) {
                directories.values().remove(key);
            }
            WatchKey more;
            while ((more = service.poll()) != null) {
                more.pollEvents();
                if (!more.reset()) {
                    directories.values().remove(more);
                }
            }
        }
    }

    private void check(final Path file, final Watched watched, final boolean readContent) {
        Stamp now = stamp(file);
        if (now.equals(watched.stamp) && !readContent) {
            return;
        }
        if (!now.equals(watched.stamp)) {
            // Let a writer finish: report only a file that stayed the same for the settle time.
            for (int round = 0; round < MAX_SETTLE_ROUNDS && !stopped; round++) {
                try {
                    Thread.sleep(settle.toMillis());
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                final Stamp later = stamp(file);
                if (later.equals(now)) {
                    break;
                }
                now = later;
            }
        }
        watched.stamp = now;
        final byte[] digest = digest(file);
        if (Arrays.equals(digest, watched.digest)) {
            return;
        }
        watched.digest = digest;
        if (files.get(file) != watched || stopped) {
            return;
        }
        try {
            watched.listener.run();
        } catch (final RuntimeException e) {
            log.warn("{}: handling a change of {} failed: {}", extension, file, e.toString());
        }
    }

    private static Stamp stamp(final Path file) {
        try {
            final BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            return new Stamp(
                    true, attributes.size(), attributes.lastModifiedTime().toMillis(), attributes.fileKey());
        } catch (final IOException e) {
            return new Stamp(false, -1, -1, null);
        }
    }

    /** SHA-256 of the content, or {@code null} when the file cannot be read (missing). */
    private static byte @Nullable [] digest(final Path file) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (final IOException e) {
            return null;
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
