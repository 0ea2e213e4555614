package dev.certguard.crl.verify;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The revoked serial numbers of one CRL, held compactly for O(1) lookup: all serials packed into
 * one byte array (minimal two's-complement, as {@code BigInteger.toByteArray()} gives them), an
 * offset per entry, and an open-addressing hash table of entry numbers. About 30 bytes per entry
 * for 128-bit serials, with no object per entry. Immutable once built; thread-safe.
 */
public final class RevocationIndex {

    /** No serial at all. */
    public static final RevocationIndex EMPTY = new Builder(0).build();

    private final byte[] serials;
    private final int[] offsets;
    private final int[] table;
    private final int mask;

    private RevocationIndex(final byte[] serials, final int[] offsets, final int[] table) {
        this.serials = serials;
        this.offsets = offsets;
        this.table = table;
        this.mask = table.length - 1;
    }

    public int size() {
        return offsets.length - 1;
    }

    /** Whether the serial ({@code BigInteger.toByteArray()} form) is on this CRL. */
    public boolean contains(final byte[] serial) {
        return contains(serial, 0, serial.length);
    }

    boolean contains(final byte[] data, final int from, final int to) {
        if (size() == 0) {
            return false;
        }
        int slot = hash(data, from, to) & mask;
        while (true) {
            final int entry = table[slot];
            if (entry == 0) {
                return false;
            }
            final int start = offsets[entry - 1];
            final int end = offsets[entry];
            if (Arrays.equals(serials, start, end, data, from, to)) {
                return true;
            }
            slot = (slot + 1) & mask;
        }
    }

    /**
     * Calls {@code serial} with every serial of this index that {@code other} does not hold (each a
     * fresh array in {@code BigInteger.toByteArray()} form), in CRL order: what a newer CRL revokes
     * that an older one did not. Costs one lookup in {@code other} per entry of this index.
     */
    public void forEachNotIn(final @NotNull RevocationIndex other, final @NotNull Consumer<byte[]> serial) {
        for (int entry = 1; entry < offsets.length; entry++) {
            final int start = offsets[entry - 1];
            final int end = offsets[entry];
            if (!other.contains(serials, start, end)) {
                serial.accept(Arrays.copyOfRange(serials, start, end));
            }
        }
    }

    /** Retained heap, approximately, in bytes (for metrics and benchmarks). */
    public long retainedBytes() {
        return 16L + serials.length + 16L + 4L * offsets.length + 16L + 4L * table.length + 32;
    }

    private static int hash(final byte[] data, final int from, final int to) {
        int h = 0x811c9dc5;
        for (int i = from; i < to; i++) {
            h = (h ^ (data[i] & 0xff)) * 0x01000193;
        }
        return h ^ (h >>> 16);
    }

    /** Collects serials, then freezes them into an index. Not thread-safe. */
    static final class Builder {
        private byte[] serials;
        private int[] offsets;
        private int count;
        private int used;

        Builder(final int expectedEntries) {
            serials = new byte[Math.max(16, expectedEntries * 17)];
            offsets = new int[Math.max(2, expectedEntries + 1)];
        }

        /** Adds the DER INTEGER content {@code data[from, to)}, normalised to its minimal form. */
        void add(final byte[] data, int from, final int to) {
            while (to - from > 1
                    && ((data[from] == 0 && data[from + 1] >= 0) || (data[from] == -1 && data[from + 1] < 0))) {
                from++;
            }
            final int length = to - from;
            if (used + length > serials.length) {
                serials = Arrays.copyOf(serials, Math.max(serials.length * 2, used + length));
            }
            if (count + 2 > offsets.length) {
                offsets = Arrays.copyOf(offsets, offsets.length * 2);
            }
            System.arraycopy(data, from, serials, used, length);
            used += length;
            count++;
            offsets[count] = used;
        }

        RevocationIndex build() {
            final int capacity = Integer.highestOneBit(Math.max(2, count * 2 - 1)) << 1;
            final int[] table = new int[count == 0 ? 1 : capacity];
            final int mask = table.length - 1;
            final byte[] packed = Arrays.copyOf(serials, used);
            final int[] ends = Arrays.copyOf(offsets, count + 1);
            for (int entry = 1; entry <= count; entry++) {
                int slot = hash(packed, ends[entry - 1], ends[entry]) & mask;
                while (table[slot] != 0) {
                    slot = (slot + 1) & mask;
                }
                table[slot] = entry;
            }
            return new RevocationIndex(packed, ends, table);
        }
    }
}
