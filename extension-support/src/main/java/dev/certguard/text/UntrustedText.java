package dev.certguard.text;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import javax.security.auth.x500.X500Principal;

/**
 * The one escaper for text that comes from bytes certguard did not write (a certificate's names, a
 * CRL's or OCSP answer's fields, an HTTP answer, a client id, username or topic) before it reaches a
 * log line, a reason string, the audit trail or a report: such text can never forge a line, hide
 * characters, end a quoted field or make a line unbounded. Control characters (C0, DEL, C1), format
 * characters (bidi overrides, zero-width ones), line and paragraph separators and lone or paired
 * surrogates become {@code \\uXXXX}; a long text is cut and says how long it was. Stateless; thread-safe.
 */
public final class UntrustedText {

    /** At most this many characters of one escaped field, before the length note. */
    public static final int MAX_FIELD = 200;

    /** At most this many characters of one log argument, before the length note. */
    public static final int MAX_LOG_ARGUMENT = 1_000;

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private UntrustedText() {}

    /**
     * Renders untrusted input for a log line, reason string or quoted field: every unsafe character
     * (see the class comment), the backslash and the single quote become {@code \\uXXXX}, and the
     * result is cut at {@value #MAX_FIELD} characters followed by {@code ...(N chars)}, N being the
     * input's length.
     */
    public static @NotNull String escape(final @NotNull String untrusted) {
        return render(untrusted, MAX_FIELD, true);
    }

    /** A distinguished name (RFC 2253 form, which leaves control characters raw) escaped like {@link #escape}. */
    public static @NotNull String name(final @Nullable X500Principal name) {
        return name == null ? "-" : escape(name.getName());
    }

    /**
     * Neutralises one argument of a log line whatever its origin: unsafe characters become
     * {@code \\uXXXX} (backslash and quote are kept, so text already {@link #escape escaped} is
     * unchanged) and the result is cut at {@code max} characters with its length stated.
     */
    public static @NotNull String neutralise(final @Nullable Object argument, final int max) {
        return render(String.valueOf(argument), max, false);
    }

    /** Whether {@code c} must never reach a log line raw. */
    public static boolean unsafe(final char c) {
        if (c >= 0x20 && c < 0x7f) {
            return false;
        }
        if (c <= 0x9f) {
            return true; // C0, DEL, C1
        }
        switch (Character.getType(c)) {
            case Character.FORMAT:
            case Character.LINE_SEPARATOR:
            case Character.PARAGRAPH_SEPARATOR:
            case Character.SURROGATE:
            case Character.PRIVATE_USE:
            case Character.UNASSIGNED:
                return true;
            default:
                return false;
        }
    }

    private static String render(final String text, final int max, final boolean quoting) {
        int i = 0;
        final int length = text.length();
        while (i < length && i < max) {
            final char c = text.charAt(i);
            if (unsafe(c) || (quoting && (c == '\\' || c == '\''))) {
                break;
            }
            i++;
        }
        if (i == length) {
            return text;
        }
        final StringBuilder out = new StringBuilder(Math.min(length, max) + 24);
        out.append(text, 0, i);
        for (; i < length && out.length() < max; i++) {
            final char c = text.charAt(i);
            if (unsafe(c) || (quoting && (c == '\\' || c == '\''))) {
                out.append("\\u")
                        .append(HEX[(c >> 12) & 0xf])
                        .append(HEX[(c >> 8) & 0xf])
                        .append(HEX[(c >> 4) & 0xf])
                        .append(HEX[c & 0xf]);
            } else {
                out.append(c);
            }
        }
        if (i < length) {
            out.append("...(").append(length).append(" chars)");
        }
        return out.toString();
    }
}
