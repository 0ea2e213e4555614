package dev.certguard.audit;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A fleet-audit finding as one extension hands it to the one that writes the report (crl-extension's
 * checks to acl-extension's {@code GET /certguard/audit}): a map of JDK types only, under the report's
 * own field names, because the extensions' class loaders share no other type. The values are already
 * escaped where they hold untrusted text; the report's generator escapes again on output.
 * Stateless; thread-safe.
 */
public final class SharedFinding {

    public static final String CHECK = "check";
    public static final String SEVERITY = "severity";
    public static final String IDENTITY = "identity";
    public static final String CERTIFICATE_SHA256 = "certificate_sha256";
    public static final String DETAILS = "details";
    public static final String FIRST_SEEN = "first_seen";
    public static final String LAST_SEEN = "last_seen";
    public static final String COUNT = "count";

    private SharedFinding() {}

    /** One finding; times as ISO-8601 text, the count as a {@link Long}. Unmodifiable. */
    public static @NotNull Map<String, Object> of(
            final @NotNull String check,
            final @NotNull String severity,
            final @NotNull String identity,
            final @NotNull String certificateSha256,
            final @NotNull String details,
            final @NotNull Instant firstSeen,
            final @NotNull Instant lastSeen,
            final long count) {
        final Map<String, Object> finding = new LinkedHashMap<>();
        finding.put(CHECK, check);
        finding.put(SEVERITY, severity);
        finding.put(IDENTITY, identity);
        finding.put(CERTIFICATE_SHA256, certificateSha256);
        finding.put(DETAILS, details);
        finding.put(FIRST_SEEN, firstSeen.toString());
        finding.put(LAST_SEEN, lastSeen.toString());
        finding.put(COUNT, count);
        return java.util.Collections.unmodifiableMap(finding);
    }
}
