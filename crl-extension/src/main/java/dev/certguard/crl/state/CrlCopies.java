package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.text.SafeLog;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * The last good CRL of each remote source, kept on disk so that a restarted broker has revocation
 * data before its first fetch answers (or while the CRL server is down). A copy is trusted no more
 * than a download: it is only read at start, and goes through the same verification, validity and
 * rollback checks as a fetched CRL, so a stale, tampered or foreign file is refused like a bad
 * answer. Writes run on the executor given (one thread of its own, never a broker or extension
 * executor thread), replace the file atomically and never fail a refresh.
 * Thread-safe.
 */
public final class CrlCopies {

    private static final SafeLog log = SafeLog.of(CrlCopies.class);

    private final @Nullable Path folder;
    private final @NotNull Executor writer;
    /** The CRL each source's file holds or is about to, so an unchanged or older CRL is not written. */
    private final Map<String, CrlHighWaterMarks.Mark> written = new ConcurrentHashMap<>();

    private CrlCopies(final @Nullable Path folder, final @NotNull Executor writer) {
        this.folder = folder;
        this.writer = writer;
    }

    /** Copies in {@code folder}, written on {@code writer}. */
    public static @NotNull CrlCopies in(final @NotNull Path folder, final @NotNull Executor writer) {
        return new CrlCopies(folder, writer);
    }

    /** Keeps nothing (tests, and sources read from local files, which are their own copy). */
    public static @NotNull CrlCopies none() {
        return new CrlCopies(null, Runnable::run);
    }

    /**
     * The copy kept for {@code source}, or {@code null} when there is none or it cannot be read (then
     * logged) or is larger than {@code maxBytes}. Blocking file I/O: call only at start.
     */
    public byte @Nullable [] read(final @NotNull String source, final long maxBytes) {
        if (folder == null) {
            return null;
        }
        final Path file = fileOf(source);
        try (InputStream in = Files.newInputStream(file)) {
            final byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                log.warn(
                        "crl-extension: the copy kept of the CRL from {} ({}) is larger than max-crl-bytes; not used",
                        source,
                        file);
                return null;
            }
            return bytes;
        } catch (final NoSuchFileException e) {
            return null;
        } catch (final IOException e) {
            log.warn(
                    "crl-extension: cannot read the copy kept of the CRL from {} ({}): {}", source, file, e.toString());
            return null;
        }
    }

    /** Records that {@code crl}, restored from the copy of {@code source}, is what the file holds. */
    void restored(final @NotNull String source, final @NotNull VerifiedCrl crl) {
        written.put(source, CrlHighWaterMarks.Mark.of(crl));
    }

    /**
     * Keeps {@code der}, the CRL of {@code source} just put in use, unless the file already holds it
     * or a newer one (a refresh still running from before a reload may finish after its successor).
     */
    public void keep(final @NotNull String source, final @NotNull VerifiedCrl crl, final byte @NotNull [] der) {
        if (folder == null) {
            return;
        }
        final boolean[] newer = {false};
        written.compute(source, (name, held) -> {
            if (held != null && !held.isOlderThan(crl)) {
                return held;
            }
            newer[0] = true;
            return CrlHighWaterMarks.Mark.of(crl);
        });
        if (!newer[0]) {
            return;
        }
        try {
            writer.execute(() -> write(source, der));
        } catch (final RejectedExecutionException e) {
            written.remove(source);
        }
    }

    /** Deletes the copy kept for {@code source} (a discovered URL dropped), on the writer thread. */
    public void forget(final @NotNull String source) {
        if (folder == null) {
            return;
        }
        written.remove(source);
        try {
            writer.execute(() -> {
                try {
                    if (!written.containsKey(source)) {
                        Files.deleteIfExists(fileOf(source));
                    }
                } catch (final IOException | RuntimeException e) {
                    log.warn("crl-extension: cannot delete the copy kept of the CRL from {}: {}", source, e.toString());
                }
            });
        } catch (final RejectedExecutionException e) {
            // the extension is stopping: the file stays, and is checked like any copy at the next start
        }
    }

    private void write(final String source, final byte[] der) {
        final Path file = fileOf(source);
        try {
            Files.createDirectories(file.getParent());
            final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            Files.write(temporary, der);
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException | RuntimeException e) {
            written.remove(source);
            // An older copy left in place would come back at the next start (with the high-water mark
            // unwritten too, on a full disk): remove it, so the broker waits for a fetch instead.
            try {
                Files.deleteIfExists(file);
            } catch (final IOException | RuntimeException ignored) {
                // Logged below; a copy that stayed is still checked against the high-water mark.
            }
            log.warn(
                    "crl-extension: cannot keep a copy of the CRL from {} in {} ({}); after a restart the broker"
                            + " waits for its first fetch",
                    source,
                    file,
                    e.toString());
        }
    }

    /** One file per source, named by a hash of the source (a URL may hold any character). */
    @NotNull Path fileOf(final @NotNull String source) {
        try {
            final byte[] hash = MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8));
            final StringBuilder name = new StringBuilder(40);
            for (int i = 0; i < 16; i++) {
                name.append(Character.forDigit((hash[i] >> 4) & 0xF, 16)).append(Character.forDigit(hash[i] & 0xF, 16));
            }
            return folder.resolve(name.append(".crl").toString());
        } catch (final NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
