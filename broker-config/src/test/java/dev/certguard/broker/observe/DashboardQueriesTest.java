package dev.certguard.broker.observe;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certguard.broker.MetricsEndpoint;
import dev.certguard.broker.testing.OutputLines;
import dev.certguard.broker.testing.TestBroker;
import java.io.File;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped Grafana dashboard against a real Prometheus server (Debian's {@code prometheus})
 * scraping the packaged broker through the launcher's endpoint: every expression of every panel
 * returns data. Skips, with the reason, where no Prometheus is installed; under {@code CI=true} a
 * missing Prometheus fails ({@code .ci/run} installs it).
 */
class DashboardQueriesTest {

    static final Path DASHBOARD = Path.of("src/main/grafana/certguard.json");

    @TempDir
    Path dir;

    private static String prometheusBinary() {
        for (final String folder : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            final Path candidate = Path.of(folder, "prometheus");
            if (Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        return null;
    }

    private static JsonNode query(final int port, final String expr) throws Exception {
        final String url =
                "http://127.0.0.1:" + port + "/api/v1/query?query=" + URLEncoder.encode(expr, StandardCharsets.UTF_8);
        return new ObjectMapper().readTree(URI.create(url).toURL().openStream());
    }

    @Test
    void every_panel_expression_returns_data_from_a_real_prometheus_scraping_the_broker() throws Exception {
        final String prometheus = prometheusBinary();
        if (prometheus == null) {
            assertThat(System.getenv("CI"))
                    .as("CI must have Debian's prometheus installed (.ci/run installs it)")
                    .isNotEqualTo("true");
            Assumptions.abort("no prometheus on PATH (apt-get install prometheus)");
        }
        final List<String> expressions = new ArrayList<>();
        for (final JsonNode panel :
                new ObjectMapper().readTree(DASHBOARD.toFile()).path("panels")) {
            for (final JsonNode target : panel.path("targets")) {
                expressions.add(target.path("expr").asText());
            }
        }
        assertThat(expressions).hasSizeGreaterThan(20);

        final TestBroker.Builder builder =
                TestBroker.builder(dir).pki(dev.certguard.broker.testing.TestPki.create(dir.resolve("pki")));
        // OCSP on, against a responder that is not there (admitted unchecked), so its series exist too.
        builder.extensionConfig(
                "crl-extension",
                TestBroker.crlConfig(builder.pki().devPki())
                        .replace(
                                "</crl-extension>",
                                "<ocsp><enabled>true</enabled><responder-url>http://127.0.0.1:"
                                        + TestBroker.freePort()
                                        + "/</responder-url><timeout-seconds>1</timeout-seconds>"
                                        + "<when-unavailable>allow</when-unavailable></ocsp></crl-extension>"));
        try (TestBroker broker = builder.start();
                MetricsEndpoint endpoint =
                        MetricsEndpoint.start(broker.embedded().metrics(), "127.0.0.1", 0)) {
            broker.mqtt5(broker.pki().client("admin:a1998e"), "c").connect();
            final int port = TestBroker.freePort();
            final Path config = dir.resolve("prometheus.yml");
            Files.writeString(
                    config,
                    """
                    global:
                      scrape_interval: 1s
                    scrape_configs:
                      - job_name: certguard
                        static_configs:
                          - targets: ['127.0.0.1:%d']
                    """
                            .formatted(endpoint.port()));
            final Process server = new ProcessBuilder(
                            prometheus,
                            "--config.file=" + config,
                            "--storage.tsdb.path=" + dir.resolve("tsdb"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .start();
            final OutputLines log = new OutputLines(server.getInputStream(), "prometheus-output");
            try {
                final long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                int samples = 0;
                while (samples < 4 && System.nanoTime() < deadline) {
                    Thread.sleep(500);
                    try {
                        final JsonNode result = query(port, "count_over_time(up[1m])")
                                .path("data")
                                .path("result");
                        samples = result.isEmpty()
                                ? 0
                                : result.get(0).path("value").get(1).asInt();
                    } catch (final java.io.IOException notYet) {
                        samples = 0;
                    }
                }
                assertThat(samples)
                        .as("Prometheus scraped the broker: " + log.output())
                        .isGreaterThanOrEqualTo(4);

                final List<String> empty = new ArrayList<>();
                for (final String expr : expressions) {
                    final JsonNode answer = query(port, expr);
                    if (!"success".equals(answer.path("status").asText())
                            || answer.path("data").path("result").isEmpty()) {
                        empty.add(expr + " -> " + answer);
                    }
                }
                assertThat(empty).as("panel expressions without data").isEmpty();
            } finally {
                server.destroy();
                server.waitFor();
            }
        }
    }
}
