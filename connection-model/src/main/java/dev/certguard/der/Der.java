package dev.certguard.der;

import com.hivemq.extension.sdk.api.annotations.NotNull;

/**
 * The one DER walker of the CONNECT path's certificate reading (a subject's CN, a key's named curve):
 * definite lengths of up to three bytes, each element checked to end inside its container. Stateless;
 * thread-safe.
 */
public final class Der {

    private Der() {}

    /**
     * The content bounds {start, end} of the element at {@code at}, which must carry {@code tag} and end
     * by {@code limit}.
     *
     * @throws IllegalArgumentException when the element is not there, has another tag, or runs past
     *     {@code limit}
     */
    public static int @NotNull [] element(final byte @NotNull [] der, final int at, final int limit, final int tag) {
        if (at < 0 || at + 2 > limit || limit > der.length || (der[at] & 0xff) != tag) {
            throw new IllegalArgumentException("no element of tag " + tag + " at " + at);
        }
        int length = der[at + 1] & 0xff;
        int start = at + 2;
        if (length >= 0x80) {
            final int bytes = length & 0x7f;
            if (bytes == 0 || bytes > 3 || start + bytes > limit) {
                throw new IllegalArgumentException("unsupported length at " + at);
            }
            length = 0;
            for (int i = 0; i < bytes; i++) {
                length = (length << 8) | (der[start + i] & 0xff);
            }
            start += bytes;
        }
        if (length > limit - start) {
            throw new IllegalArgumentException("element at " + at + " runs past its container");
        }
        return new int[] {start, start + length};
    }
}
