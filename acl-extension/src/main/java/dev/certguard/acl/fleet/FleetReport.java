package dev.certguard.acl.fleet;

import com.fasterxml.jackson.core.JsonGenerator;
import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.audit.Audit;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The fleet audit report as JSON: {@code generated} (ISO time), {@code connected} (connections the
 * audit counts), {@code summary} (open findings per check, every check listed), {@code offenders}
 * (per kind, the identities with the most offences in about the last hour) and {@code findings}
 * (the most recently seen first, at most the limit asked for), each with {@code check},
 * {@code severity}, {@code identity}, {@code certificate_sha256}, {@code details}, {@code first_seen},
 * {@code last_seen} and {@code count}. Written with the audit trail's escapes. Stateless; thread-safe.
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
            for (final Finding finding : findings) {
                json.writeStartObject();
                json.writeStringField("check", finding.check().label());
                json.writeStringField("severity", finding.check().severity());
                json.writeStringField("identity", finding.identity());
                json.writeStringField("certificate_sha256", finding.certificateSha256());
                json.writeStringField("details", finding.details());
                json.writeStringField("first_seen", finding.firstSeen().toString());
                json.writeStringField("last_seen", finding.lastSeen().toString());
                json.writeNumberField("count", finding.count());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toString();
    }

    /** The report at its default limit (what a JMX view of the gauge shows). */
    @Override
    public @NotNull String toString() {
        return apply(DEFAULT_LIMIT);
    }
}
