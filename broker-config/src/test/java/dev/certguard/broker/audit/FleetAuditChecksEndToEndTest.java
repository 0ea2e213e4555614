package dev.certguard.broker.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.JsonNode;
import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.MetricsEndpoint;
import dev.certguard.broker.testing.AuditEndpoint;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fleet audit's checks that need a broker of their own: one whose logback.xml turns the audit
 * logger off (an operator silencing the trail) reports {@code audit-log-disabled}; one with
 * {@code require-client-id-equals-identity} reports the identity that keeps trying another
 * identity's client id as {@code client-id-conflict}, with its count.
 */
class FleetAuditChecksEndToEndTest {

    @TempDir
    static Path dir;

    static TestPki pki;
    static TestBroker broker;
    static MetricsEndpoint endpoint;

    private static final String AUDIT_OFF =
            """
            <configuration>
                <statusListener class="ch.qos.logback.core.status.NopStatusListener"/>
                <appender name="CERTGUARD_LOG_GUARD" class="dev.certguard.broker.testing.LogLineGuard"/>
                <logger name="dev.certguard" level="INFO"/>
                <logger name="certguard.audit" level="OFF"/>
                <root level="WARN">
                    <appender-ref ref="CERTGUARD_LOG_GUARD"/>
                </root>
            </configuration>
            """;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        final TestBroker.Builder builder = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension>
                            <require-client-id-equals-identity>true</require-client-id-equals-identity>
                        </acl-extension>""");
        final BrokerHome home = builder.prepare();
        Files.writeString(home.conf().resolve("logback.xml"), AUDIT_OFF);
        broker = builder.start(home);
        endpoint = MetricsEndpoint.start(broker.embedded().metrics(), "127.0.0.1", 0);
    }

    @AfterAll
    static void stop() {
        if (endpoint != null) {
            endpoint.close();
        }
        if (broker != null) {
            broker.close();
        }
    }

    private static List<JsonNode> findings(final String check) throws Exception {
        return new AuditEndpoint(endpoint).findings(check);
    }

    @Test
    void an_audit_logger_turned_off_is_a_finding() throws Exception {
        final List<JsonNode> found = findings("audit-log-disabled");

        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("details").asText()).contains("certguard.audit is off");
        assertThat(found.get(0).get("severity").asText()).isEqualTo("medium");
    }

    @Test
    void an_identity_trying_another_identitys_client_id_is_one_finding_with_its_count() throws Exception {
        final Credentials device = pki.client("conflict:dev");
        for (int i = 0; i < 2; i++) {
            final Mqtt5ConnAckException refused = catchThrowableOfType(
                    Mqtt5ConnAckException.class,
                    () -> broker.mqtt5(device.sslConfig(), "conflict:victim").connect());
            assertThat(refused).isNotNull();
            assertThat(refused.getMqttMessage().getReasonCode())
                    .isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);
        }
        final var own = broker.mqtt5(device.sslConfig(), "conflict:dev");
        assertThat(own.connect().getReasonCode()).isEqualTo(Mqtt5ConnAckReasonCode.SUCCESS);
        own.disconnect();

        final List<JsonNode> found = findings("client-id-conflict").stream()
                .filter(f -> f.get("identity").asText().equals("conflict:dev"))
                .toList();

        assertThat(found).hasSize(1);
        assertThat(found.get(0).get("identity").asText()).isEqualTo("conflict:dev");
        assertThat(found.get(0).get("certificate_sha256").asText()).isEqualTo(device.sha256());
        assertThat(found.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(found.get(0).get("details").asText()).isEqualTo("refused for client id 'conflict:victim'");
    }

    @Test
    void a_hostile_client_id_reaches_the_report_escaped_never_raw() throws Exception {
        // HiveMQ itself refuses C0 and C1 controls in a client id (malformed packet); these it passes on.
        final Credentials device = pki.client("conflict:hostile");
        final String hostile = "conflict:x\u2028FAKE LOG LINE\u202egnp.exe'\\";
        final Mqtt5ConnAckException refused =
                catchThrowableOfType(Mqtt5ConnAckException.class, () -> broker.mqtt5(device.sslConfig(), hostile)
                        .connect());
        assertThat(refused).isNotNull();
        assertThat(refused.getMqttMessage().getReasonCode())
                .isEqualTo(Mqtt5ConnAckReasonCode.CLIENT_IDENTIFIER_NOT_VALID);

        final String text = new String(
                URI.create("http://127.0.0.1:" + endpoint.port() + "/certguard/audit")
                        .toURL()
                        .openStream()
                        .readAllBytes(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertThat(text)
                .as("no line separator, bidi override or raw quote from the client id")
                .doesNotContain("\u2028", "\u202e", "x'");
        assertThat(findings("client-id-conflict"))
                .filteredOn(f -> f.get("identity").asText().equals("conflict:hostile"))
                .singleElement()
                .satisfies(f -> assertThat(f.get("details").asText())
                        .isEqualTo("refused for client id 'conflict:x\\u2028FAKE LOG LINE\\u202egnp.exe"
                                + "\\u0027\\u005c'"));
    }
}
