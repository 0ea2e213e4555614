package dev.certguard.identity;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.nio.charset.StandardCharsets;

/**
 * The character rules every identity obeys, so that an identity placed into a topic filter is always
 * a literal, single topic level: no {@code / + #}, no leading-{@code $} tricks, no control, format or
 * whitespace characters that could hide a difference from an operator reading a log.
 * Stateless; thread-safe.
 */
public final class IdentityCharacters {

    /** Upper bound for a whole identity, in UTF-8 bytes (documented in docs/reference/acl-extension.md). */
    public static final int MAX_IDENTITY_BYTES = 128;

    private IdentityCharacters() {}

    /**
     * Checks one part of an identity (a tenant, a device id or a service name).
     *
     * @param what names the part in the error, e.g. "tenant"
     * @throws InvalidIdentityException naming the first offending character
     */
    public static void checkPart(final @NotNull String what, final @NotNull String part)
            throws InvalidIdentityException {
        if (part.isEmpty()) {
            throw new InvalidIdentityException(what + " is empty");
        }
        for (int i = 0; i < part.length(); ) {
            final int cp = part.codePointAt(i);
            final String problem = problem(cp);
            if (problem != null) {
                throw new InvalidIdentityException(what + " contains " + problem + " at index " + i);
            }
            i += Character.charCount(cp);
        }
    }

    /** Checks the UTF-8 length bound of a whole identity. */
    public static void checkLength(final @NotNull String identity) throws InvalidIdentityException {
        final int bytes = identity.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_IDENTITY_BYTES) {
            throw new InvalidIdentityException(
                    "identity is " + bytes + " bytes long, at most " + MAX_IDENTITY_BYTES + " are allowed");
        }
    }

    private static String problem(final int cp) {
        switch (cp) {
            case '/':
                return "'/' (topic level separator)";
            case '+':
                return "'+' (topic wildcard)";
            case '#':
                return "'#' (topic wildcard)";
            case '$':
                return "'$' (reserved topic prefix)";
            case ':':
                return "':'";
            default:
                break;
        }
        if (cp == 0) {
            return "NUL";
        }
        if (cp == 0xFFFD) {
            // What the JDK puts for bytes of a UTF8String CN that are not UTF-8: different bytes would
            // read as one identity.
            return "U+FFFD (bytes that are not UTF-8)";
        }
        if (Character.isISOControl(cp)) {
            return String.format("control character U+%04X", cp);
        }
        if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
            return String.format("whitespace U+%04X", cp);
        }
        final int type = Character.getType(cp);
        if (type == Character.FORMAT) {
            return String.format("invisible format character U+%04X", cp);
        }
        if (type == Character.SURROGATE) {
            return String.format("unpaired surrogate U+%04X", cp);
        }
        if (type == Character.UNASSIGNED || type == Character.PRIVATE_USE) {
            return String.format("unassigned or private-use character U+%04X", cp);
        }
        return null;
    }
}
