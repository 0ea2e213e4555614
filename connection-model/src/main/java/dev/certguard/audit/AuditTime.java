package dev.certguard.audit;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.time.Instant;

/**
 * Writes an instant exactly as {@link Instant#toString()} does (ISO-8601 in UTC, the fraction in
 * groups of three digits, none when zero), reusing the text up to the second while the second is
 * the same: the audit trail stamps every line, and the JDK's general formatter was a tenth of a
 * CONNECT's audit cost. Years outside 0000-9999 go to {@link Instant#toString()}. Thread-safe: the
 * cached second is one immutable object behind a volatile reference.
 */
final class AuditTime {

    private static final class Second {
        final long epochSecond;
        final String text;

        Second(final long epochSecond, final String text) {
            this.epochSecond = epochSecond;
            this.text = text;
        }
    }

    /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z. */
    private static final long FIRST = -62167219200L;

    private static final long LAST = 253402300799L;

    private volatile Second second = new Second(Long.MIN_VALUE, "");

    @NotNull String format(final @NotNull Instant instant) {
        final long epochSecond = instant.getEpochSecond();
        if (epochSecond < FIRST || epochSecond > LAST) {
            return instant.toString();
        }
        Second known = second;
        if (known.epochSecond != epochSecond) {
            final String full = Instant.ofEpochSecond(epochSecond).toString();
            known = new Second(epochSecond, full.substring(0, full.length() - 1));
            second = known;
        }
        final int nano = instant.getNano();
        final StringBuilder out = new StringBuilder(known.text.length() + 11).append(known.text);
        if (nano != 0) {
            out.append('.');
            if (nano % 1_000_000 == 0) {
                digits(out, nano / 1_000_000, 3);
            } else if (nano % 1000 == 0) {
                digits(out, nano / 1000, 6);
            } else {
                digits(out, nano, 9);
            }
        }
        return out.append('Z').toString();
    }

    private static void digits(final StringBuilder out, final int value, final int width) {
        int divisor = 1;
        for (int i = 1; i < width; i++) {
            divisor *= 10;
        }
        for (int rest = value; divisor > 0; divisor /= 10) {
            out.append((char) ('0' + rest / divisor));
            rest %= divisor;
        }
    }
}
