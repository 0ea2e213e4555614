package dev.certguard.crl.source;

import com.hivemq.extension.sdk.api.annotations.Nullable;

/**
 * The result of asking a source for its CRL: unchanged since the last good copy, or new bytes with
 * the validators to remember once they verified. Immutable; thread-safe.
 */
public final class Fetch {

    static final Fetch UNCHANGED = new Fetch(null, null);

    private final byte @Nullable [] bytes;
    private final @Nullable Object validators;

    Fetch(final byte @Nullable [] bytes, final @Nullable Object validators) {
        this.bytes = bytes;
        this.validators = validators;
    }

    public boolean unchanged() {
        return bytes == null;
    }

    public byte @Nullable [] bytes() {
        return bytes;
    }

    @Nullable Object validators() {
        return validators;
    }
}
