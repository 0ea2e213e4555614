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
            for (final Row row : rows(findings, audit.externalFindings(), Math.max(0, limit))) {
                json.writeStartObject();
                json.writeStringField("check", row.check);
                json.writeStringField("severity", row.severity);
                json.writeStringField("identity", row.identity);
                json.writeStringField("certificate_sha256", row.certificateSha256);
                json.writeStringField("details", row.details);
                json.writeStringField("first_seen", row.firstSeen);
                json.writeStringField("last_seen", row.lastSeen.toString());
                json.writeNumberField("count", row.count);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** One finding of the report, the audit's own or another extension's. */
    private static final class Row {
        final String check;
        final String severity;
        final String identity;
        final String certificateSha256;
        final String details;
        final String firstSeen;
        final Instant lastSeen;
        final long count;

        Row(
                final String check,
                final String severity,
                final String identity,
                final String certificateSha256,
                final String details,
                final String firstSeen,
                final Instant lastSeen,
                final long count) {
            this.check = check;
            this.severity = severity;
            this.identity = identity;
            this.certificateSha256 = certificateSha256;
            this.details = details;
            this.firstSeen = firstSeen;
            this.lastSeen = lastSeen;
            this.count = count;
        }
    }

    /**
     * The audit's findings and the other extensions' (a malformed one of theirs is skipped), the most
     * recently seen first, at most {@code limit}.
     */
    private static List<Row> rows(final List<Finding> own, final List<Map<?, ?>> others, final int limit) {
        final List<Row> rows = new ArrayList<>(own.size() + others.size());
        for (final Finding finding : own) {
            rows.add(new Row(
                    finding.check().label(),
                    finding.check().severity(),
                    finding.identity(),
                    finding.certificateSha256(),
                    finding.details(),
                    finding.firstSeen().toString(),
                    finding.lastSeen(),
                    finding.count()));
        }
        for (final Map<?, ?> other : others) {
            try {
                rows.add(new Row(
                        text(other, SharedFinding.CHECK),
                        text(other, SharedFinding.SEVERITY),
                        text(other, SharedFinding.IDENTITY),
                        text(other, SharedFinding.CERTIFICATE_SHA256),
                        text(other, SharedFinding.DETAILS),
                        text(other, SharedFinding.FIRST_SEEN),
                        Instant.parse(text(other, SharedFinding.LAST_SEEN)),
                        ((Number) other.get(SharedFinding.COUNT)).longValue()));
            } catch (final RuntimeException malformed) {
                // Another extension's version may differ: its finding still counts in the summary.
            }
        }
        rows.sort(Comparator.comparing((Row row) -> row.lastSeen).reversed());
        return rows.size() > limit ? rows.subList(0, limit) : rows;
    }

    private static String text(final Map<?, ?> finding, final String field) {
        return String.valueOf(Objects.requireNonNull(finding.get(field), field));
    }

    /** The report at its default limit (what a JMX view of the gauge shows). */
    @Override
    public @NotNull String toString() {
        return apply(DEFAULT_LIMIT);
    }
}
