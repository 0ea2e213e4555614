package dev.certguard.acl.fleet;

import com.fasterxml.jackson.core.JsonGenerator;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.audit.Audit;
import dev.certguard.audit.SharedFinding;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * The fleet audit report as JSON: {@code generated} (ISO time), {@code connected} (connections the
 * audit counts), {@code summary} (open findings per check, every check listed), {@code offenders}
 * (per kind, the identities with the most offences in about the last hour) and {@code findings}
 * (the most recently seen first, at most the limit asked for), each with {@code check},
 * {@code severity}, {@code identity}, {@code certificate_sha256}, {@code details}, {@code first_seen},
 * {@code last_seen} and {@code count}, the checks other extensions run included. Written with the audit
 * trail's escapes. Stateless; thread-safe.
 */
public final class FleetReport implements IntFunction<String> {

    public static final int DEFAULT_LIMIT = 1000;

    private final @NotNull FleetAudit audit;

    FleetReport(final @NotNull FleetAudit audit) {
        this.audit = audit;
    }

    /** The report with at most {@code limit} findings (at least 0). */
    @Override
    public @NotNull String apply(final int limit) {
        audit.auditLog();
        final List<Finding> findings = audit.findings().newestFirst(Math.max(0, limit));
        final StringWriter out = new StringWriter(256 + findings.size() * 256);
        try (JsonGenerator json = Audit.jsonGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("generated", audit.now().toString());
            json.writeNumberField("connected", audit.connected());
            json.writeObjectFieldStart("summary");
            for (final Check check : Check.values()) {
                json.writeNumberField(check.label(), audit.findings().open(check));
            }
            for (final Map.Entry<String, Long> check : audit.externalChecks().entrySet()) {
                json.writeNumberField(check.getKey(), check.getValue());
            }
            json.writeEndObject();
            json.writeObjectFieldStart("offenders");
            for (final Offenders.Kind kind : Offenders.Kind.values()) {
                json.writeArrayFieldStart(kind.label());
                for (final Offenders.Offender offender : audit.offenders().top(kind)) {
                    json.writeStartObject();
                    json.writeStringField("identity", offender.identity());
                    json.writeNumberField("count", offender.count());
                    json.writeEndObject();
                }
                json.writeEndArray();
            }
            json.writeEndObject();
            json.writeArrayFieldStart("findings");
            for (final Map<?, ?> row : rows(findings, audit.externalFindings(), Math.max(0, limit))) {
                json.writeStartObject();
                for (final String field : FIELDS) {
                    json.writeStringField(field, text(row, field));
                }
                json.writeNumberField(SharedFinding.COUNT, ((Number) row.get(SharedFinding.COUNT)).longValue());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /**
     * The audit's findings and the other extensions' (a malformed one of theirs is skipped), in one
     * form ({@link SharedFinding}'s), the most recently seen first, at most {@code limit}.
     */
    private static List<Map<?, ?>> rows(final List<Finding> own, final List<Map<?, ?>> others, final int limit) {
        final List<Map<?, ?>> rows = new ArrayList<>(own.size() + others.size());
        for (final Finding finding : own) {
            rows.add(SharedFinding.of(
                    finding.check().label(),
                    finding.check().severity(),
                    finding.identity(),
                    finding.certificateSha256(),
                    finding.details(),
                    finding.firstSeen(),
                    finding.lastSeen(),
                    finding.count()));
        }
        for (final Map<?, ?> other : others) {
            try {
                for (final String field : FIELDS) {
                    text(other, field);
                }
                Instant.parse(text(other, SharedFinding.LAST_SEEN));
                if (other.get(SharedFinding.COUNT) instanceof Number) {
                    rows.add(other);
                }
            } catch (final RuntimeException malformed) {
                // Another extension's version may differ: its finding still counts in the summary.
            }
        }
        rows.sort(Comparator.comparing((Map<?, ?> row) -> Instant.parse(text(row, SharedFinding.LAST_SEEN)))
                .reversed());
        return rows.size() > limit ? rows.subList(0, limit) : rows;
    }

    private static final List<String> FIELDS = List.of(
            SharedFinding.CHECK,
            SharedFinding.SEVERITY,
            SharedFinding.IDENTITY,
            SharedFinding.CERTIFICATE_SHA256,
            SharedFinding.DETAILS,
            SharedFinding.FIRST_SEEN,
            SharedFinding.LAST_SEEN);

    private static String text(final Map<?, ?> finding, final String field) {
        return String.valueOf(Objects.requireNonNull(finding.get(field), field));
    }

    /** The report at its default limit (what a JMX view of the gauge shows). */
    @Override
    public @NotNull String toString() {
        return apply(DEFAULT_LIMIT);
    }
}
