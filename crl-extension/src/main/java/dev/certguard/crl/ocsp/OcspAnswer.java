package dev.certguard.crl.ocsp;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.time.Instant;

/**
 * What OCSP says about one certificate: a verified status with its validity, or why there is none
 * ({@link OcspFailure}). Immutable; thread-safe.
 */
public final class OcspAnswer {

    /** The certificate status a verified response gave. */
    public enum Status {
        GOOD,
        REVOKED,
        UNKNOWN
    }

    private final @Nullable Status status;
    private final @Nullable String failure;
    private final @NotNull Instant thisUpdate;
    private final @NotNull Instant usableUntil;

    private OcspAnswer(
            final @Nullable Status status,
            final @Nullable String failure,
            final @NotNull Instant thisUpdate,
            final @NotNull Instant usableUntil) {
        this.status = status;
        this.failure = failure;
        this.thisUpdate = thisUpdate;
        this.usableUntil = usableUntil;
    }

    static @NotNull OcspAnswer verified(
            final @NotNull Status status, final @NotNull Instant thisUpdate, final @NotNull Instant usableUntil) {
        return new OcspAnswer(status, null, thisUpdate, usableUntil);
    }

    public static @NotNull OcspAnswer failed(final @NotNull OcspFailure cause, final @NotNull Instant now) {
        return new OcspAnswer(null, cause.cause(), Instant.EPOCH, now);
    }

    /** The responder's {@code thisUpdate} of a verified answer ({@link Instant#EPOCH} for a failure). */
    public @NotNull Instant thisUpdate() {
        return thisUpdate;
    }

    /** The verified status, or {@code null} when the status could not be had. */
    public @Nullable Status status() {
        return status;
    }

    /** Why there is no status, or {@code null}. */
    public @Nullable String failure() {
        return failure;
    }

    /** Until when the answer may be used (the response's {@code nextUpdate}, capped by {@code cache-seconds}). */
    public @NotNull Instant usableUntil() {
        return usableUntil;
    }

    public boolean revoked() {
        return status == Status.REVOKED;
    }

    /** Good and still usable at {@code now}. */
    public boolean goodAt(final @NotNull Instant now) {
        return status == Status.GOOD && now.isBefore(usableUntil);
    }

    @Override
    public String toString() {
        return status != null ? status.name().toLowerCase(java.util.Locale.ROOT) : "unavailable (" + failure + ")";
    }
}
