package dev.certguard.bench.soak;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The broker's own record of what it decided, read from its audit trail
 * ({@code log/certguard-audit.log}): per identity, every accepted CONNECT, every cut and every
 * CONNECT refused for revocation or the deny list, with the broker's timestamps. The soak judges
 * removals by it, so the load generator's own delays neither hide nor invent a violation.
 * Immutable once read.
 */
final class AuditTrail {

    /** One decision about an identity: {@code accepted}, {@code cut:<reason>} or {@code refused:<reason>}. */
    record Entry(Instant time, String what) {}

    // The soak's identities and the audit's event names need no JSON unescaping.
    private static final Pattern FIELD = Pattern.compile("\"(time|event|reason|identity)\":\"([^\"\\\\]*)\"");

    private final Map<String, List<Entry>> byIdentity;
    private final List<Instant> accepted;

    private AuditTrail(final Map<String, List<Entry>> byIdentity, final List<Instant> accepted) {
        this.byIdentity = byIdentity;
        this.accepted = accepted;
    }

    static AuditTrail read(final Path file) throws IOException {
        final Map<String, List<Entry>> byIdentity = new HashMap<>();
        final List<Instant> accepted = new ArrayList<>();
        if (Files.isRegularFile(file)) {
            try (BufferedReader in = Files.newBufferedReader(file)) {
                String line;
                while ((line = in.readLine()) != null) {
                    final Map<String, String> fields = new HashMap<>();
                    final Matcher m = FIELD.matcher(line);
                    while (m.find()) {
                        fields.putIfAbsent(m.group(1), m.group(2));
                    }
                    final String event = fields.getOrDefault("event", "");
                    final String what = event.equals("connect.accepted")
                            ? "accepted"
                            : event.equals("connection.cut")
                                    ? "cut:" + fields.get("reason")
                                    : event.equals("connect.refused") ? "refused:" + fields.get("reason") : null;
                    if (what == null || !fields.containsKey("identity") || !fields.containsKey("time")) {
                        continue;
                    }
                    final Instant time = Instant.parse(fields.get("time"));
                    if (what.equals("accepted")) {
                        accepted.add(time);
                    }
                    byIdentity
                            .computeIfAbsent(fields.get("identity"), k -> new ArrayList<>())
                            .add(new Entry(time, what));
                }
            }
        }
        return new AuditTrail(byIdentity, accepted);
    }

    /** CONNECTs the broker accepted, of anybody, strictly between the two instants. */
    long acceptedBetween(final Instant from, final Instant to) {
        return accepted.stream().filter(t -> t.isAfter(from) && t.isBefore(to)).count();
    }

    /**
     * Judges every removed member: its first cut or refusal for revocation or the deny list after the
     * removal (when the removal took effect, by the broker's clock), and the violations: a CONNECT of
     * it accepted, or a connection of it still alive and ended by its lifetime, after the moment the
     * removal had to be in force ({@code inForce}: the CRL served plus 1 s, the deny-list write plus 3 s).
     */
    void judge(
            final List<Member> removed,
            final java.util.function.Function<Member, Instant> inForce,
            final Violations violations) {
        for (final Member member : removed) {
            final Instant due = inForce.apply(member);
            for (final Entry entry : byIdentity.getOrDefault(member.identity, List.of())) {
                if (entry.time().isBefore(member.removedAt)) {
                    continue;
                }
                final boolean removal =
                        entry.what().endsWith(":revoked") || entry.what().endsWith(":denied");
                if (removal && (member.brokerEffectAt == null || entry.time().isBefore(member.brokerEffectAt))) {
                    member.brokerEffectAt = entry.time();
                    member.brokerEffectHow =
                            entry.what().substring(0, entry.what().indexOf(':'));
                }
                if (due == null || !entry.time().isAfter(due)) {
                    continue;
                }
                if (entry.what().equals("accepted")) {
                    violations.revokedAccepted(
                            member,
                            "accepted by the broker at " + entry.time() + ", after its removal was due in force at "
                                    + due);
                } else if (entry.what().equals("cut:lifetime")) {
                    violations.revokedAccepted(
                            member,
                            "still connected at " + entry.time()
                                    + " (ended by its lifetime), after its removal was due in force at " + due);
                }
            }
        }
    }
}
