package dev.certguard.identity;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.security.cert.X509Certificate;

/**
 * Values kept for recently seen certificate objects, found by object identity (HiveMQ hands every
 * hook of a connection, and a CONNECT's every check, the same certificate object). A fixed table of
 * slots: bounded memory (a slot keeps one certificate until another lands on it), no locks and no
 * maintenance; a value whose slot another took is simply not found, and its caller computes it again.
 * Thread-safe: slots are immutable, so a racy read sees a whole one or none.
 *
 * @param <V> what is kept per certificate
 */
public final class CertificateTable<V> {

    private static final class Slot<V> {
        final X509Certificate certificate;
        final V value;

        Slot(final X509Certificate certificate, final V value) {
            this.certificate = certificate;
            this.value = value;
        }
    }

    private final Slot<V>[] slots;

    /** @param size the number of slots, a power of two */
    @SuppressWarnings("unchecked")
    public CertificateTable(final int size) {
        if (Integer.bitCount(size) != 1) {
            throw new IllegalArgumentException("size must be a power of two, was " + size);
        }
        slots = (Slot<V>[]) new Slot[size];
    }

    private int index(final X509Certificate certificate) {
        final int hash = System.identityHashCode(certificate);
        return (hash ^ (hash >>> 16)) & (slots.length - 1);
    }

    /** The value kept for this very certificate object, or {@code null}. */
    public @Nullable V get(final @NotNull X509Certificate certificate) {
        final Slot<V> slot = slots[index(certificate)];
        return slot != null && slot.certificate == certificate ? slot.value : null;
    }

    /** Keeps {@code value} for {@code certificate}, in place of whatever its slot held. */
    public void put(final @NotNull X509Certificate certificate, final @NotNull V value) {
        slots[index(certificate)] = new Slot<>(certificate, value);
    }

    /** Forgets the value kept for {@code certificate}, if its slot still holds it. */
    public void remove(final @NotNull X509Certificate certificate) {
        final int index = index(certificate);
        final Slot<V> slot = slots[index];
        if (slot != null && slot.certificate == certificate) {
            slots[index] = null;
        }
    }
}
