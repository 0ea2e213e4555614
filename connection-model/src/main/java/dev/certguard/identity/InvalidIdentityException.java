package dev.certguard.identity;

import com.hivemq.extension.sdk.api.annotations.NotNull;

/**
 * A presented identity (certificate subject or username) that certguard refuses, with a reason fit
 * for an MQTT 5 reason string and a log line.
 */
public final class InvalidIdentityException extends Exception {

    public InvalidIdentityException(final @NotNull String reason) {
        // No stack trace: refusals are expected, attacker-driven and reported by their reason alone.
        super(reason, null, false, false);
    }

    public @NotNull String reason() {
        return getMessage();
    }
}
