package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The HTTP(S) URIs named in a certificate's CRL Distribution Points extension (fullName URIs; LDAP
 * and relative names are skipped). Stateless; thread-safe.
 */
final class DistributionPoints {

    private static final String CRL_DISTRIBUTION_POINTS = "2.5.29.31";

    private DistributionPoints() {}

    static @NotNull List<URI> httpUris(final @NotNull X509Certificate certificate) {
        final List<URI> out = new ArrayList<>();
        final byte[] extension = certificate.getExtensionValue(CRL_DISTRIBUTION_POINTS);
        if (extension == null) {
            return out;
        }
        // The extension value is an OCTET STRING wrapping the DER of CRLDistributionPoints; any
        // [6] IA5String inside it is a URI (uniformResourceIdentifier) of a distribution point.
        scan(extension, 0, extension.length, out);
        return out;
    }

    private static void scan(final byte[] der, int position, final int end, final List<URI> out) {
        while (position + 2 <= end) {
            final int tag = der[position] & 0xff;
            int length = der[position + 1] & 0xff;
            int header = 2;
            if (length >= 0x80) {
                final int bytes = length & 0x7f;
                if (bytes == 0 || bytes > 3 || position + 2 + bytes > end) {
                    return;
                }
                length = 0;
                for (int i = 0; i < bytes; i++) {
                    length = (length << 8) | (der[position + 2 + i] & 0xff);
                }
                header += bytes;
            }
            final int valueStart = position + header;
            final int valueEnd = valueStart + length;
            if (valueEnd > end) {
                return;
            }
            if (tag == 0x86) {
                final String uri = new String(der, valueStart, length, StandardCharsets.US_ASCII);
                final String lower = uri.toLowerCase(Locale.ROOT);
                if (lower.startsWith("http://") || lower.startsWith("https://")) {
                    try {
                        out.add(URI.create(uri));
                    } catch (final IllegalArgumentException ignored) {
                        // A malformed distribution point is skipped, not fatal.
                    }
                }
            } else if ((tag & 0x20) != 0 || tag == 0x04) {
                scan(der, valueStart, valueEnd, out);
            }
            position = valueEnd;
        }
    }
}
