package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;

/**
 * The outcome of resolving a connection's identity: a principal, or a rejection with its reason.
 * Either way it carries what a log line needs. Immutable; thread-safe.
 */
public final class Resolution {

    private final @Nullable Principal principal;
    private final @Nullable RejectReason rejectReason;
    private final @NotNull String detail;
    private final @NotNull String presentedName;
    private final @NotNull String fingerprint;

    private Resolution(
            final @Nullable Principal principal,
            final @Nullable RejectReason rejectReason,
            final @NotNull String detail,
            final @NotNull String presentedName,
            final @NotNull String fingerprint) {
        this.principal = principal;
        this.rejectReason = rejectReason;
        this.detail = detail;
        this.presentedName = presentedName;
        this.fingerprint = fingerprint;
    }

    static @NotNull Resolution accepted(final @NotNull Principal principal, final @NotNull String fingerprint) {
        return new Resolution(principal, null, "", principal.name(), fingerprint);
    }

    static @NotNull Resolution rejected(
            final @NotNull RejectReason reason,
            final @NotNull String detail,
            final @NotNull String presentedName,
            final @NotNull String fingerprint) {
        return new Resolution(null, reason, detail, presentedName, fingerprint);
    }

    /** The principal, or {@code null} when rejected. */
    public @Nullable Principal principal() {
        return principal;
    }

    /** The reason, or {@code null} when accepted. */
    public @Nullable RejectReason rejectReason() {
        return rejectReason;
    }

    /** Human-readable reason, suitable for an MQTT 5 reason string. */
    public @NotNull String detail() {
        return detail;
    }

    /** The identity as presented (escaped for logs), or {@code -} when none was presented. */
    public @NotNull String presentedName() {
        return presentedName;
    }

    /** SHA-256 fingerprint of the client certificate, or {@code -} when there is none. */
    public @NotNull String fingerprint() {
        return fingerprint;
    }
}
