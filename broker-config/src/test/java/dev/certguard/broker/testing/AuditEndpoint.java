package dev.certguard.broker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certguard.broker.MetricsEndpoint;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The launcher's metrics endpoint as an operator reads it: the fleet audit report at
 * {@code GET /certguard/audit}, its findings of one check, and one series of the Prometheus scrape.
 * Stateless; thread-safe.
 */
public final class AuditEndpoint {

    private final int port;

    public AuditEndpoint(final MetricsEndpoint endpoint) {
        this.port = endpoint.port();
    }

    /** A request to the endpoint, not yet sent. */
    public HttpURLConnection get(final String pathAndQuery) throws Exception {
        return (HttpURLConnection)
                URI.create("http://127.0.0.1:" + port + pathAndQuery).toURL().openConnection();
    }

    /** The report for {@code query} (e.g. {@code ?limit=5}), which must be served as JSON with 200. */
    public JsonNode report(final String query) throws Exception {
        final HttpURLConnection connection = get("/certguard/audit" + query);
        assertThat(connection.getResponseCode()).isEqualTo(200);
        assertThat(connection.getContentType()).startsWith("application/json");
        return new ObjectMapper().readTree(connection.getInputStream());
    }

    /** The report's findings of {@code check}, newest first. */
    public List<JsonNode> findings(final String check) throws Exception {
        final List<JsonNode> found = new ArrayList<>();
        report("").get("findings").forEach(f -> {
            if (f.get("check").asText().equals(check)) {
                found.add(f);
            }
        });
        return found;
    }

    /** The value of the series {@code name} (no labels) in a scrape of {@code /metrics}. */
    public double series(final String name) throws Exception {
        final String scrape = new String(get("/metrics").getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        final Matcher matcher =
                Pattern.compile("(?m)^" + Pattern.quote(name) + " (\\S+)$").matcher(scrape);
        assertThat(matcher.find()).as(name + " in the scrape").isTrue();
        return Double.parseDouble(matcher.group(1));
    }
}
