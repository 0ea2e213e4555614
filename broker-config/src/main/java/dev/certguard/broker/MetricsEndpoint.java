package dev.certguard.broker;

import com.codahale.metrics.MetricRegistry;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.dropwizard.DropwizardExports;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;

/**
 * Dropwizard metrics as HiveMQ's Prometheus extension exposes them: a Dropwizard counter is a
 * Prometheus gauge of the same (sanitised) name, without the {@code _total} suffix a Prometheus
 * counter would get; everything else as the bridge maps it.
 */
final class HiveMqNames implements MultiCollector {

    private final MultiCollector dropwizard;

    HiveMqNames(final MultiCollector dropwizard) {
        this.dropwizard = dropwizard;
    }

    @Override
    public MetricSnapshots collect() {
        final MetricSnapshots.Builder out = MetricSnapshots.builder();
        for (final MetricSnapshot snapshot : dropwizard.collect()) {
            if (snapshot instanceof CounterSnapshot counter) {
                final GaugeSnapshot.Builder gauge = GaugeSnapshot.builder()
                        .name(counter.getMetadata().getPrometheusName())
                        .help(counter.getMetadata().getHelp());
                for (final CounterSnapshot.CounterDataPointSnapshot point : counter.getDataPoints()) {
                    gauge.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                            .value(point.getValue())
                            .labels(point.getLabels())
                            .build());
                }
                out.metricSnapshot(gauge.build());
            } else {
                out.metricSnapshot(snapshot);
            }
        }
        return out.build();
    }
}

/**
 * Serves HiveMQ's whole metric registry (certguard's metrics included) and the JVM's metrics in the
 * Prometheus text format at {@code http://<bind>:<port>/metrics}, with the Prometheus Java client's
 * HTTP server and Dropwizard bridge. The default {@code 127.0.0.1:9399/metrics} is the port and path
 * of HiveMQ's own Prometheus extension, so one scrape configuration and one dashboard serve an
 * embedded broker and a standalone HiveMQ with that extension. Dropwizard names become Prometheus
 * names by the same rule as there ({@link HiveMqNames}): every character other than a letter, digit or
 * {@code _} becomes {@code _}, and counters are exposed as gauges of that name. The same server
 * answers {@code GET /certguard/audit} with the fleet audit report ({@link AuditReportHandler}).
 * Thread-safe: the server's own threads serve scrapes; each scrape reads the live registry.
 */
public final class MetricsEndpoint implements AutoCloseable {

    public static final int DEFAULT_PORT = 9399;
    public static final String DEFAULT_BIND = "127.0.0.1";

    private final HTTPServer server;

    private MetricsEndpoint(final HTTPServer server) {
        this.server = server;
    }

    /** Starts serving {@code hivemq}'s registry and the JVM's metrics; port 0 picks a free port. */
    public static MetricsEndpoint start(final MetricRegistry hivemq, final String bind, final int port)
            throws IOException {
        final PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(new HiveMqNames(new DropwizardExports(hivemq)));
        JvmMetrics.builder().register(registry);
        return new MetricsEndpoint(HTTPServer.builder()
                .hostname(bind)
                .port(port)
                .registry(registry)
                .defaultHandler(new AuditReportHandler(hivemq))
                .buildAndStart());
    }

    /** The port it listens on. */
    public int port() {
        return server.getPort();
    }

    @Override
    public void close() {
        server.close();
    }
}
