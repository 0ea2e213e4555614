package dev.certguard.crl.source;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * A CRL file, read again only when its size or modification time changed. Local reads are short,
 * so they run on the caller's (extension executor) thread. Thread-safe.
 */
public final class FileSource implements CrlSource {

    private final @NotNull Path path;
    private final long maxBytes;
    private volatile String lastGood;

    public FileSource(final @NotNull Path path, final long maxBytes) {
        this.path = path;
        this.maxBytes = maxBytes;
    }

    @Override
    public @NotNull String name() {
        return path.toString();
    }

    @Override
    public @NotNull CompletableFuture<Fetch> fetch() {
        try {
            final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
            final String stamp =
                    attributes.size() + "@" + attributes.lastModifiedTime().toMillis();
            if (Objects.equals(stamp, lastGood)) {
                return CompletableFuture.completedFuture(Fetch.UNCHANGED);
            }
            if (attributes.size() > maxBytes) {
                return CompletableFuture.failedFuture(new IOException(
                        "file is " + attributes.size() + " bytes, more than max-crl-bytes " + maxBytes));
            }
            return CompletableFuture.completedFuture(new Fetch(Files.readAllBytes(path), stamp));
        } catch (final IOException e) {
            return CompletableFuture.failedFuture(new IOException("cannot read " + path + ": " + e.getMessage(), e));
        }
    }

    @Override
    public void accepted(final @NotNull Fetch fetch) {
        lastGood = (String) fetch.validators();
    }
}
