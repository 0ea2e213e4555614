package dev.certguard.text;

import com.hivemq.extension.sdk.api.annotations.NotNull;

/**
 * The one escaper for text a client controls (CN, client id, username, topic) before it reaches a
 * log line or a reason string: such text can never forge a line, hide characters or end a quoted
 * field. Stateless; thread-safe.
 */
public final class UntrustedText {

    private UntrustedText() {}

    /**
     * Renders untrusted input safely for a log line or reason string: non-printable characters
     * become {@code \\uXXXX} and the text is cut at 80 characters.
     */
    public static @NotNull String escape(final @NotNull String untrusted) {
        final StringBuilder out = new StringBuilder(Math.min(untrusted.length(), 80) + 8);
        for (int i = 0; i < untrusted.length() && out.length() < 80; i++) {
            final char c = untrusted.charAt(i);
            if (c < 0x20
                    || c == 0x7f
                    || Character.getType(c) == Character.FORMAT
                    || Character.isSurrogate(c)
                    || c == '\\'
                    || c == '\'') {
                out.append(String.format("\\u%04x", (int) c));
            } else {
                out.append(c);
            }
        }
        if (out.length() >= 80 && untrusted.length() > 80) {
            out.append("...");
        }
        return out.toString();
    }
}
