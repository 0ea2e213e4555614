package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;

/**
 * The resolutions of recently seen client certificates, found by SHA-256 fingerprint: a device that
 * reconnects (a resumed TLS session is one by definition) presents the same bytes, so its identity,
 * end-entity check and permissions are what they were, and a CONNECT reuses them instead of reading
 * the certificate and building HiveMQ permission objects again. A fixed table of slots: bounded memory,
 * no locks and no maintenance; a resolution whose slot a later certificate took is made again (the
 * same answer). Belongs to one configuration's {@link IdentityResolver}, so a reload starts empty.
 * Thread-safe: resolutions are immutable (their permission memo is set once per configuration), so
 * a racy read sees a whole one or none.
 */
final class RecentResolutions {

    private final Resolution[] slots;

    /** @param size the number of slots, a power of two */
    RecentResolutions(final int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size must be a power of two, was " + size);
        }
        slots = new Resolution[size];
    }

    private int index(final String fingerprint) {
        final int hash = fingerprint.hashCode();
        return (hash ^ (hash >>> 16)) & (slots.length - 1);
    }

    /** The resolution kept for the certificate of this fingerprint, or {@code null}. */
    @Nullable Resolution get(final @NotNull String fingerprint) {
        final Resolution known = slots[index(fingerprint)];
        return known != null && known.fingerprint().equals(fingerprint) ? known : null;
    }

    /** Keeps {@code resolution} (of a certificate) in place of whatever its slot held. */
    void put(final @NotNull Resolution resolution) {
        slots[index(resolution.fingerprint())] = resolution;
    }
}
