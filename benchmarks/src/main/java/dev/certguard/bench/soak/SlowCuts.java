package dev.certguard.bench.soak;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the broker's "disconnecting client id ... took ... ms" lines (crl-extension logs every cut
 * that took over a second, with the part HiveMQ took to close the connection) and gives each removed
 * member cut live the part of its cut time that was HiveMQ's, so the soak can tell certguard's own
 * latency from HiveMQ's backlog. Stateless.
 */
final class SlowCuts {

    private static final Pattern LINE = Pattern.compile("^(\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}[.,]\\d{3}) .*"
            + "crl-extension: disconnecting client id '([^']*)' took (\\d+) ms: (\\d+) retries, then (\\d+) ms"
            + " until HiveMQ closed it");
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSS");
    /** The slow-cut line and the audit event of one cut are written within milliseconds of each other. */
    private static final Duration SAME_CUT = Duration.ofMillis(500);

    private SlowCuts() {}

    static void attribute(final Path brokerLog, final List<Member> removed) throws IOException {
        if (!Files.isRegularFile(brokerLog)) {
            return;
        }
        try (var lines = Files.lines(brokerLog)) {
            lines.forEach(line -> {
                final Matcher m = LINE.matcher(line);
                if (!m.find()) {
                    return;
                }
                final Instant at = LocalDateTime.parse(m.group(1).replace(',', '.'), TIME)
                        .atZone(ZoneId.systemDefault())
                        .toInstant();
                for (final Member member : removed) {
                    if (member.identity.equals(m.group(2))
                            && "cut".equals(member.brokerEffectHow)
                            && member.brokerEffectAt != null
                            && Duration.between(at, member.brokerEffectAt).abs().compareTo(SAME_CUT) <= 0) {
                        member.hivemqCloseMillis = Long.parseLong(m.group(5));
                    }
                }
            });
        }
    }
}
