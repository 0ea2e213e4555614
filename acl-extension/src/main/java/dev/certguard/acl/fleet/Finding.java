package dev.certguard.acl.fleet;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.time.Instant;

/**
 * One finding as the report shows it: which check, about whom, what, when first and last seen and how
 * often. The identity and details are already escaped ({@link dev.certguard.text.UntrustedText}); a
 * finding never holds a key or a whole certificate, only its SHA-256 fingerprint. Immutable;
 * thread-safe.
 */
public final class Finding {

    private final @NotNull Check check;
    private final @NotNull String identity;
    private final @NotNull String certificateSha256;
    private final @NotNull String details;
    private final @NotNull Instant firstSeen;
    private final @NotNull Instant lastSeen;
    private final long count;

    Finding(
            final @NotNull Check check,
            final @NotNull String identity,
            final @NotNull String certificateSha256,
            final @NotNull String details,
            final @NotNull Instant firstSeen,
            final @NotNull Instant lastSeen,
            final long count) {
        this.check = check;
        this.identity = identity;
        this.certificateSha256 = certificateSha256;
        this.details = details;
        this.firstSeen = firstSeen;
        this.lastSeen = lastSeen;
        this.count = count;
    }

    public @NotNull Check check() {
        return check;
    }

    /** The identity (device or service), escaped; {@code -} when none applies. */
    public @NotNull String identity() {
        return identity;
    }

    /** The certificate's SHA-256 fingerprint in hex; {@code -} when no certificate is concerned. */
    public @NotNull String certificateSha256() {
        return certificateSha256;
    }

    /** What was found, escaped. */
    public @NotNull String details() {
        return details;
    }

    public @NotNull Instant firstSeen() {
        return firstSeen;
    }

    public @NotNull Instant lastSeen() {
        return lastSeen;
    }

    /** How many times it was seen while open. */
    public long count() {
        return count;
    }

    @Override
    public @NotNull String toString() {
        return check.label() + " " + identity + " " + certificateSha256 + ": " + details + " (" + count + "x)";
    }
}
