package dev.certguard.broker;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.IntFunction;

/**
 * Serves acl-extension's fleet audit report at {@code GET /certguard/audit} beside {@code /metrics}:
 * the extension registers it in HiveMQ's metric registry as a gauge whose value is a function from a
 * limit to the JSON report (a JDK type, so it crosses the extension's class loader). {@code ?limit=N}
 * (0 to 100,000, default 1000) bounds the findings listed. Answers 503 with a JSON error while no
 * audit is registered (acl-extension not started, or its configuration invalid), 400 for a bad limit,
 * 405 for a method other than GET or HEAD, and 404 for any other path.
 * Thread-safe: stateless; each request reads the live registry.
 */
final class AuditReportHandler implements HttpHandler {

    static final String PATH = "/certguard/audit";
    static final String REPORT_GAUGE = "dev.certguard.audit.report";
    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;

    private final MetricRegistry hivemq;

    AuditReportHandler(final MetricRegistry hivemq) {
        this.hivemq = hivemq;
    }

    @Override
    public void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            final String path = exchange.getRequestURI().getPath();
            if (!PATH.equals(path) && !(PATH + "/").equals(path)) {
                send(exchange, 404, "{\"error\":\"not found; the endpoints are /metrics and " + PATH + "\"}");
                return;
            }
            final String method = exchange.getRequestMethod();
            if (!"GET".equals(method) && !"HEAD".equals(method)) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                send(exchange, 405, "{\"error\":\"only GET\"}");
                return;
            }
            final Integer limit = limit(exchange.getRequestURI().getRawQuery());
            if (limit == null) {
                send(exchange, 400, "{\"error\":\"limit must be a whole number from 0 to " + MAX_LIMIT + "\"}");
                return;
            }
            final Gauge<?> gauge = hivemq.getGauges().get(REPORT_GAUGE);
            final Object report = gauge == null ? null : gauge.getValue();
            if (!(report instanceof IntFunction)) {
                send(
                        exchange,
                        503,
                        "{\"error\":\"the fleet audit is not running: acl-extension is not started or its"
                                + " configuration is invalid\"}");
                return;
            }
            if ("HEAD".equals(method)) {
                send(exchange, 200, "");
                return;
            }
            final String json;
            try {
                @SuppressWarnings("unchecked")
                final IntFunction<String> reports = (IntFunction<String>) report;
                json = reports.apply(limit);
            } catch (final RuntimeException e) {
                send(exchange, 500, "{\"error\":\"the report could not be made\"}");
                return;
            }
            send(exchange, 200, json);
        }
    }

    /** The limit asked for, its default when absent, or {@code null} when malformed. */
    static Integer limit(final String query) {
        if (query == null || query.isEmpty()) {
            return DEFAULT_LIMIT;
        }
        Integer limit = DEFAULT_LIMIT;
        for (final String parameter : query.split("&")) {
            if (!parameter.startsWith("limit=")) {
                continue;
            }
            final String value = parameter.substring("limit=".length());
            if (value.isEmpty() || value.length() > 6 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
                return null;
            }
            final int parsed = Integer.parseInt(value);
            if (parsed > MAX_LIMIT) {
                return null;
            }
            limit = parsed;
        }
        return limit;
    }

    private static void send(final HttpExchange exchange, final int status, final String json) throws IOException {
        final byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        if ("HEAD".equals(exchange.getRequestMethod())) {
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
