package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * An operator's {@code <allowed-url-prefix>}: the only URLs certguard fetches when a device
 * certificate names them. Compared on the parsed URL, not its text, so that
 * {@code https://crl.example.com/} never allows {@code https://crl.example.com.evil.net/}, a userinfo
 * trick ({@code https://crl.example.com@evil.net/}) or a dot segment climbing out of the prefix's path.
 * Immutable; thread-safe.
 */
public final class UrlPrefix {

    private final @NotNull String scheme;
    private final @NotNull String host;
    private final int port;
    private final @NotNull String path;
    private final @NotNull String text;

    private UrlPrefix(
            final @NotNull String scheme,
            final @NotNull String host,
            final int port,
            final @NotNull String path,
            final @NotNull String text) {
        this.scheme = scheme;
        this.host = host;
        this.port = port;
        this.path = path;
        this.text = text;
    }

    /**
     * The prefix {@code text} names.
     *
     * @throws IllegalArgumentException with the rule it breaks: an http:// or https:// URL with a host,
     *     no userinfo, query or fragment, no dot segments, and a path ending in '/'
     */
    public static @NotNull UrlPrefix parse(final @NotNull String text) {
        final URI uri = plain(text);
        if (uri == null) {
            throw new IllegalArgumentException("'" + text + "' is not a plain http:// or https:// URL with a host"
                    + " (no spaces, userinfo, fragment, dot segments or encoded '.' and '/')");
        }
        if (uri.getRawQuery() != null) {
            throw new IllegalArgumentException("'" + text + "' has a query; a prefix is a scheme, host and path");
        }
        final String path = uri.getRawPath();
        if (!path.endsWith("/")) {
            throw new IllegalArgumentException("'" + text + "' must end in '/' (else 'https://crl.example.com/a'"
                    + " would allow 'https://crl.example.com/ab...')");
        }
        return new UrlPrefix(
                uri.getScheme().toLowerCase(Locale.ROOT),
                uri.getHost().toLowerCase(Locale.ROOT),
                port(uri),
                path,
                text);
    }

    /** Whether {@code url} is under this prefix (same scheme, host and port; path starting with its path). */
    public boolean allows(final @NotNull String url) {
        final URI uri = plain(url);
        if (uri == null) {
            return false;
        }
        final String requested = uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        return scheme.equals(uri.getScheme().toLowerCase(Locale.ROOT))
                && host.equals(uri.getHost().toLowerCase(Locale.ROOT))
                && port == port(uri)
                && requested.startsWith(path);
    }

    /**
     * {@code text} as an http(s) URI with a host and nothing that could make two spellings of one
     * location differ: no control, space or non-ASCII character, userinfo, fragment, dot segment, or
     * percent-encoded '.' or '/'; {@code null} otherwise.
     */
    private static @Nullable URI plain(final @NotNull String text) {
        for (int i = 0; i < text.length(); i++) {
            final char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f || c == '\\') {
                return null;
            }
        }
        final URI uri;
        try {
            uri = new URI(text);
        } catch (final URISyntaxException e) {
            return null;
        }
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return null;
        }
        if (uri.getHost() == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null) {
            return null;
        }
        final String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        final String lower = path.toLowerCase(Locale.ROOT);
        if (lower.contains("%2e") || lower.contains("%2f") || lower.contains("%5c")) {
            return null;
        }
        if (!uri.normalize().getRawPath().equals(path) || path.contains("//")) {
            return null;
        }
        return uri;
    }

    private static int port(final URI uri) {
        if (uri.getPort() != -1) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }

    @Override
    public boolean equals(final Object other) {
        return other instanceof UrlPrefix && ((UrlPrefix) other).text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    /** The prefix as the operator wrote it. */
    @Override
    public @NotNull String toString() {
        return text;
    }
}
