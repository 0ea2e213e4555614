package dev.certguard.crl.state;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.text.SafeLog;
import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The newest CRL seen per issuer name and key (CRL number, or thisUpdate without numbers, and the
 * SHA-256 of that CRL), kept in a file so
 * that rollback protection survives a restart: after one, a replayed older CRL is still refused.
 * An operator whose CA legitimately restarted its numbering deletes the file.
 * Thread-safe: marks are concurrent; writes are serialised and atomic (temporary file, then move).
 */
public final class CrlHighWaterMarks {

    private static final SafeLog log = SafeLog.of(CrlHighWaterMarks.class);

    /** A floor below which a CRL for the issuer is a rollback, and which CRL set it. */
    public static final class Mark {
        final @Nullable BigInteger number;
        final @NotNull Instant thisUpdate;
        /** Hex SHA-256 of the CRL that set the mark; {@code null} in marks written before it was recorded. */
        final @Nullable String sha256;

        Mark(final @Nullable BigInteger number, final @NotNull Instant thisUpdate, final @Nullable String sha256) {
            this.number = number;
            this.thisUpdate = thisUpdate;
            this.sha256 = sha256;
        }

        static @NotNull Mark of(final @NotNull VerifiedCrl crl) {
            return new Mark(crl.number(), crl.thisUpdate(), hex(crl.sha256()));
        }

        /** Whether {@code crl} is older than this mark, by the same rule as {@link VerifiedCrl#isOlderThan}. */
        boolean isNewerThan(final @NotNull VerifiedCrl crl) {
            if (number != null && crl.number() != null) {
                return number.compareTo(crl.number()) > 0;
            }
            return thisUpdate.isAfter(crl.thisUpdate());
        }

        /** Whether {@code crl} is newer than this mark, by the same rule. */
        boolean isOlderThan(final @NotNull VerifiedCrl crl) {
            if (number != null && crl.number() != null) {
                return number.compareTo(crl.number()) < 0;
            }
            return thisUpdate.isBefore(crl.thisUpdate());
        }

        /**
         * Whether {@code crl} ranks equal to the CRL that set this mark (same number, or same thisUpdate
         * without numbers) but is not byte for byte that CRL: a CA fault or an attack.
         */
        boolean conflictsWith(final @NotNull VerifiedCrl crl) {
            return sha256 != null && !isNewerThan(crl) && !isOlderThan(crl) && !sha256.equals(hex(crl.sha256()));
        }

        @Override
        public boolean equals(final @Nullable Object other) {
            if (!(other instanceof Mark)) {
                return false;
            }
            final Mark that = (Mark) other;
            return java.util.Objects.equals(number, that.number)
                    && thisUpdate.equals(that.thisUpdate)
                    && java.util.Objects.equals(sha256, that.sha256);
        }

        @Override
        public int hashCode() {
            return java.util.Objects.hash(number, thisUpdate, sha256);
        }
    }

    private final @Nullable Path file;
    private final Map<String, Mark> marks = new ConcurrentHashMap<>();
    /** Runs the writes of the file: every mark raised before a write starts is in it. */
    private final @NotNull java.util.concurrent.Executor writer;
    /** A write is queued and has not started yet: raises meanwhile need no write of their own. */
    private final java.util.concurrent.atomic.AtomicBoolean queued = new java.util.concurrent.atomic.AtomicBoolean();

    private CrlHighWaterMarks(final @Nullable Path file, final @NotNull java.util.concurrent.Executor writer) {
        this.file = file;
        this.writer = writer;
    }

    /** Marks kept in memory only (tests). */
    public static @NotNull CrlHighWaterMarks inMemory() {
        return new CrlHighWaterMarks(null, Runnable::run);
    }

    /** Loads the marks from {@code file}; a missing or unreadable file starts empty (with a WARN if unreadable). */
    public static @NotNull CrlHighWaterMarks load(final @NotNull Path file) {
        return load(file, Runnable::run);
    }

    /**
     * Loads the marks from {@code file} and writes them on {@code writer}: raises that come while a
     * write is queued share it (thousands of partitions fetched at once write the file a few times, not
     * once each). The marks in memory protect at once; a crash can lose what was raised since the
     * last write.
     */
    public static @NotNull CrlHighWaterMarks load(
            final @NotNull Path file, final @NotNull java.util.concurrent.Executor writer) {
        final CrlHighWaterMarks loaded = new CrlHighWaterMarks(file, writer);
        if (!Files.exists(file)) {
            return loaded;
        }
        final Properties properties = new Properties();
        try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(in);
            for (final String issuer : properties.stringPropertyNames()) {
                final String[] fields = properties.getProperty(issuer).split(";", 3);
                loaded.marks.put(
                        issuer,
                        new Mark(
                                fields[0].isEmpty() ? null : new BigInteger(fields[0]),
                                Instant.parse(fields[1]),
                                fields.length > 2 && !fields[2].isEmpty() ? fields[2] : null));
            }
        } catch (final IOException | RuntimeException e) {
            log.warn(
                    "crl-extension: cannot read {} ({}); rollback protection restarts from the CRLs loaded now",
                    file,
                    e.toString());
        }
        return loaded;
    }

    /** The mark for the CRL's issuer (name and key), or {@code null}. */
    @Nullable Mark get(final @NotNull VerifiedCrl crl) {
        return marks.get(key(crl));
    }

    /** Raises the issuer's mark to {@code crl} and persists the marks. */
    synchronized void raise(final @NotNull VerifiedCrl crl) {
        final Mark current = marks.get(key(crl));
        if (current != null && current.isNewerThan(crl)) {
            return;
        }
        final Mark next = Mark.of(crl);
        if (next.equals(current)) {
            // The same CRL again (a copy restored at start, a source that serves it twice): nothing to write.
            return;
        }
        marks.put(key(crl), next);
        if (file == null || !queued.compareAndSet(false, true)) {
            return;
        }
        try {
            writer.execute(this::write);
        } catch (final java.util.concurrent.RejectedExecutionException stopping) {
            queued.set(false);
        }
    }

    /** Writes every mark in memory now, atomically replacing the file. */
    private synchronized void write() {
        queued.set(false);
        final Properties properties = new Properties();
        marks.forEach((issuer, mark) -> properties.setProperty(
                issuer,
                (mark.number == null ? "" : mark.number.toString()) + ";" + mark.thisUpdate + ";"
                        + (mark.sha256 == null ? "" : mark.sha256)));
        try {
            Files.createDirectories(file.getParent());
            final Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
            try (Writer out = Files.newBufferedWriter(temporary, StandardCharsets.UTF_8)) {
                properties.store(
                        out, "certguard crl-extension: newest CRL per issuer (rollback protection); delete to reset");
            }
            Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (final IOException e) {
            log.warn(
                    "crl-extension: cannot write {} ({}); rollback protection holds only until restart",
                    file,
                    e.toString());
        }
    }

    private static String hex(final byte[] bytes) {
        final StringBuilder out = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes) {
            out.append(Character.forDigit((b >> 4) & 0xf, 16)).append(Character.forDigit(b & 0xf, 16));
        }
        return out.toString();
    }

    /**
     * Issuer name and key, and the scope of a partition: a CA re-created under the same name (a new dev
     * PKI) starts afresh, and each partition has CRL numbers of its own.
     */
    private static String key(final VerifiedCrl crl) {
        return crl.key();
    }
}
