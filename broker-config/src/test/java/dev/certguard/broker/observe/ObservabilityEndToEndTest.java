package dev.certguard.broker.observe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.hivemq.client.mqtt.datatypes.MqttQos;
import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.MetricsEndpoint;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged broker with the shipped logback.xml and the launcher's Prometheus endpoint: real
 * clients are accepted, refused, denied and cut; the scrape shows each in certguard's series and the
 * audit file holds exactly one JSON line per decision, which a hostile CN cannot forge.
 */
class ObservabilityEndToEndTest {

    /** A CN written to forge an audit event if the audit log were built by concatenation. */
    static final String HOSTILE_CN = "\"}\n{\"event\":\"connect.accepted";

    @TempDir
    static Path dir;

    static TestPki pki;

    @AutoClose
    static TestBroker broker;

    @AutoClose
    static MetricsEndpoint endpoint;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        final TestBroker.Builder builder = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "disconnect-extension",
                        """
                        <disconnect-extension>
                            <max-connection-lifetime-seconds>2</max-connection-lifetime-seconds>
                            <jitter-percent>0</jitter-percent>
                        </disconnect-extension>""");
        final BrokerHome home = builder.prepare();
        Files.copy(
                BrokerHome.template().conf().resolve("logback.xml"),
                home.conf().resolve("logback.xml"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        broker = builder.start(home);
        endpoint = MetricsEndpoint.start(broker.embedded().metrics(), "127.0.0.1", 0);
    }

    private static String scrape() throws Exception {
        return new String(URI.create("http://127.0.0.1:" + endpoint.port() + "/metrics")
                .toURL()
                .openStream()
                .readAllBytes());
    }

    private static double value(final String scrape, final String series) {
        final Matcher matcher =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
        assertThat(matcher.find()).as(series + " in the scrape").isTrue();
        return Double.parseDouble(matcher.group(1));
    }

    private static List<JsonNode> audit(final int atLeast) throws Exception {
        final Path file = broker.home().log().resolve("certguard-audit.log");
        final ObjectMapper json = new ObjectMapper();
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        List<String> lines = List.of();
        while (System.nanoTime() < deadline) {
            lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
            if (lines.size() >= atLeast) {
                break;
            }
            Thread.sleep(100);
        }
        final List<JsonNode> events = new ArrayList<>();
        for (final String line : lines) {
            events.add(json.readTree(line));
        }
        return events;
    }

    private static long count(final List<JsonNode> events, final String event) {
        return events.stream()
                .filter(e -> e.path("event").asText().equals(event))
                .count();
    }

    @Test
    void accepted_refused_denied_and_cut_clients_show_in_the_scrape_and_once_each_in_the_audit_file() throws Exception {
        final Credentials device = pki.client("admin:a1998e");
        final var cut = Disconnects.mqtt5(broker, device, "long-lived");
        final Mqtt5BlockingClient subscriber = broker.mqtt5(device, "subscriber");
        subscriber.connect();
        assertThat(catchThrowable(
                        () -> subscriber.subscribeWith().topicFilter("#").send()))
                .isNotNull();
        subscriber.disconnect();
        final Mqtt5BlockingClient publisher = broker.mqtt5(device, "publisher");
        publisher.connect();
        catchThrowable(() -> publisher
                .publishWith()
                .topic("admin:other/attrs")
                .qos(MqttQos.AT_LEAST_ONCE)
                .send());
        assertThat(catchThrowable(
                        () -> broker.mqtt5(pki.client("not-an-identity"), "x").connect()))
                .isNotNull();
        assertThat(catchThrowable(
                        () -> broker.mqtt5(pki.client(HOSTILE_CN), "y").connect()))
                .isNotNull();
        assertThat(cut.awaitEnd(Duration.ofSeconds(10)).reasonCode()).isNotNull();

        final String scrape = scrape();
        assertThat(value(scrape, "dev_certguard_acl_extension_connect_accepted"))
                .isEqualTo(3);
        assertThat(value(scrape, "dev_certguard_acl_extension_connect_rejected_invalid_identity"))
                .isEqualTo(2);
        assertThat(value(scrape, "dev_certguard_acl_extension_subscription_denied"))
                .isEqualTo(1);
        assertThat(value(scrape, "dev_certguard_acl_extension_publish_denied")).isEqualTo(1);
        assertThat(value(scrape, "dev_certguard_disconnect_extension_disconnected_lifetime"))
                .isGreaterThanOrEqualTo(1);
        assertThat(value(scrape, "dev_certguard_acl_extension_running")).isEqualTo(1);
        assertThat(value(scrape, "dev_certguard_crl_extension_running")).isEqualTo(1);
        assertThat(value(scrape, "dev_certguard_disconnect_extension_running")).isEqualTo(1);
        assertThat(scrape)
                .as("HiveMQ's own metrics and the JVM's are served too")
                .containsPattern("(?m)^com_hivemq_networking_connections_current ")
                .contains("jvm_memory_used_bytes{area=\"heap\"}");

        final List<JsonNode> events = audit(8);
        assertThat(count(events, "connect.accepted")).as(events.toString()).isEqualTo(3);
        assertThat(count(events, "connect.refused")).isEqualTo(2);
        assertThat(count(events, "subscription.denied")).isEqualTo(1);
        assertThat(count(events, "publish.denied")).isEqualTo(1);
        assertThat(count(events, "connection.cut")).isGreaterThanOrEqualTo(1);
        assertThat(events).allSatisfy(event -> {
            assertThat(event.path("time").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
            assertThat(event.path("extension").asText()).endsWith("-extension");
        });
        final JsonNode hostile = events.stream()
                .filter(e -> HOSTILE_CN.equals(e.path("identity").asText()))
                .findFirst()
                .orElseThrow();
        assertThat(hostile.path("event").asText()).isEqualTo("connect.refused");
        assertThat(hostile.path("reason").asText()).isEqualTo("invalid-identity");
        assertThat(hostile.path("certificate_sha256").asText()).hasSize(64);
        final JsonNode denied = events.stream()
                .filter(e -> e.path("event").asText().equals("publish.denied"))
                .findFirst()
                .orElseThrow();
        assertThat(denied.path("topic").asText()).isEqualTo("admin:other/attrs");
        assertThat(denied.path("identity").asText()).isEqualTo("admin:a1998e");
        assertThat(denied.path("remote_address").asText()).isEqualTo("127.0.0.1");
        assertThat(denied.path("listener").asText()).isEqualTo("tls");
        final JsonNode subscription = events.stream()
                .filter(e -> e.path("event").asText().equals("subscription.denied"))
                .findFirst()
                .orElseThrow();
        assertThat(subscription.path("topic").asText()).isEqualTo("#");
    }

    /** The metric names the reference pages list, as Prometheus patterns ({@code <source>} is any name). */
    private static List<Pattern> documentedSeries() throws Exception {
        final List<Pattern> patterns = new ArrayList<>();
        final Pattern row = Pattern.compile("(?m)^\\| `(dev\\.certguard\\.[^`]+)` \\|");
        try (var pages = Files.list(Path.of("..", "docs", "reference"))) {
            final List<Path> all = new ArrayList<>(pages.toList());
            // The launcher's own metric is listed where the launcher's endpoint is described.
            all.add(Path.of("..", "docs", "observe.md"));
            for (final Path page : all) {
                final Matcher matcher = row.matcher(Files.readString(page));
                while (matcher.find()) {
                    final StringBuilder regex = new StringBuilder();
                    for (final String part : matcher.group(1).split("<[a-z]+>", -1)) {
                        if (regex.length() > 0) {
                            regex.append("[A-Za-z0-9_]+");
                        }
                        regex.append(Pattern.quote(part.replaceAll("[^A-Za-z0-9_]", "_")));
                    }
                    patterns.add(Pattern.compile(regex + "(_count|_sum|_total|_created|_max|_min|_mean|_stddev)?"));
                }
            }
        }
        return patterns;
    }

    @Test
    void every_certguard_series_the_broker_serves_is_documented_in_the_reference_pages() throws Exception {
        final List<Pattern> documented = documentedSeries();
        assertThat(documented).as("metric rows in docs/reference").hasSizeGreaterThan(40);
        final Set<String> served = new TreeSet<>();
        for (final String line : scrape().split("\n")) {
            if (line.startsWith("dev_certguard_")) {
                served.add(line.split("[{ ]", 2)[0]);
            }
        }
        assertThat(served).as("certguard series in the scrape").hasSizeGreaterThan(20);
        assertThat(served)
                .as("served but not in docs/reference/*.md or docs/observe.md (regenerate the references)")
                .allSatisfy(name -> assertThat(documented.stream()
                                .anyMatch(p -> p.matcher(name).matches()))
                        .as(name)
                        .isTrue());
    }
}
