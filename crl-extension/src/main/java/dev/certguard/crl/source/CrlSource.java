package dev.certguard.crl.source;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.concurrent.CompletableFuture;

/**
 * Where a CRL comes from. A source remembers what it last delivered successfully, so an unchanged
 * CRL is neither downloaded nor parsed again. Implementations are thread-safe.
 */
public interface CrlSource {

    /** A short name for logs and metrics. */
    @NotNull String name();

    /** Fetches without blocking the caller for network I/O; fails with a message on any error. */
    @NotNull CompletableFuture<Fetch> fetch();

    /** The fetched CRL verified and is in use: remember its validators for the next fetch. */
    void accepted(@NotNull Fetch fetch);

    /** Whether the CRL comes over the network, so a copy is kept on disk for the next start. */
    default boolean remote() {
        return false;
    }
}
