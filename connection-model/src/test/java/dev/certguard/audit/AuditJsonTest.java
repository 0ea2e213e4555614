package dev.certguard.audit;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.certguard.text.UntrustedText;
import java.io.IOException;
import java.io.StringWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The audit line is written without a JSON generator per line; it must still be exactly what the
 * audit trail's generator (the reports' writer) writes, and parse back to the same text.
 */
class AuditJsonTest {

    private static String generated(final String time, final Map<String, String> fields) throws IOException {
        final StringWriter out = new StringWriter();
        try (JsonGenerator generator = Audit.jsonGenerator(out)) {
            generator.writeStartObject();
            generator.writeStringField("time", time);
            for (final Map.Entry<String, String> field : fields.entrySet()) {
                generator.writeStringField(field.getKey(), field.getValue());
            }
            generator.writeEndObject();
        }
        return out.toString();
    }

    private static Map<String, String> parse(final String line) throws IOException {
        final Map<String, String> fields = new LinkedHashMap<>();
        try (JsonParser parser = new JsonFactory().createParser(line)) {
            assertThat(parser.nextToken()).isEqualTo(JsonToken.START_OBJECT);
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                final String name = parser.getCurrentName();
                parser.nextToken();
                fields.put(name, parser.getText());
            }
        }
        return fields;
    }

    @Test
    void every_utf16_code_unit_is_written_as_the_audit_generator_writes_it() throws IOException {
        for (int c = 0; c <= 0xffff; c++) {
            final Map<String, String> fields = new LinkedHashMap<>();
            fields.put("event", "connect.accepted");
            fields.put("identity", "a" + (char) c + "b");
            final String line = Audit.json("2026-12-07T22:00:00Z", fields);

            assertThat(line).as("U+%04X", c).isEqualTo(generated("2026-12-07T22:00:00Z", fields));
            if (UntrustedText.unsafe((char) c)) {
                assertThat(line).as("U+%04X never raw", c).doesNotContain(String.valueOf((char) c));
            }
        }
    }

    @Test
    void hostile_text_round_trips_and_stays_on_one_line() throws IOException {
        final Random random = new Random(20261207);
        for (int i = 0; i < 2000; i++) {
            final StringBuilder value = new StringBuilder();
            for (int j = random.nextInt(40); j > 0; j--) {
                value.append((char) (random.nextBoolean() ? random.nextInt(0x100) : random.nextInt(0x10000)));
            }
            final Map<String, String> fields = new LinkedHashMap<>();
            fields.put("client_id", value.toString());
            fields.put("reason", "\"quoted\\ \n\r\t\u2028 <" + value + ">");
            final String line = Audit.json("t", fields);

            assertThat(line).isEqualTo(generated("t", fields));
            assertThat(line).doesNotContain("\n", "\r", "\u2028", "\u2029", "\u0085");
            final Map<String, String> parsed = parse(line);
            assertThat(parsed.get("client_id")).isEqualTo(value.toString());
            assertThat(parsed.get("reason")).isEqualTo(fields.get("reason"));
        }
    }
}
