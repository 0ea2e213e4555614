package dev.certguard.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.codahale.metrics.MetricRegistry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ExtensionMetricsTest {

    private static final MetricDefinition ACCEPTED = MetricDefinition.counter("connect.accepted", "Accepted.");
    private static final MetricDefinition REJECTED = MetricDefinition.counter("connect.rejected.{reason}", "Refused.")
            .withValues(Map.of("revoked", "revoked", "denied", "denied"));
    private static final MetricDefinition ENTRIES = MetricDefinition.gauge("source.{source}.entries", "Entries.");

    @Test
    void defined_metrics_are_registered_under_the_extension_prefix() {
        final MetricRegistry registry = new MetricRegistry();
        final ExtensionMetrics metrics =
                new ExtensionMetrics(registry, "crl-extension", List.of(ACCEPTED, REJECTED, ENTRIES));

        metrics.counter(ACCEPTED).inc();
        metrics.counter(REJECTED, "revoked").inc(2);
        metrics.gauge(ENTRIES, "https://pki.example.org/a b.crl", () -> 7);

        assertThat(registry.counter("dev.certguard.crl-extension.connect.accepted")
                        .getCount())
                .isEqualTo(1);
        assertThat(registry.counter("dev.certguard.crl-extension.connect.rejected.revoked")
                        .getCount())
                .isEqualTo(2);
        assertThat(registry.getGauges())
                .containsKey("dev.certguard.crl-extension.source.https_pki.example.org_a_b.crl.entries");
        assertThat(ENTRIES.matches("source.https_pki.example.org_a_b.crl.entries"))
                .isTrue();
        assertThat(REJECTED.matches("connect.rejected.revoked")).isTrue();
        assertThat(REJECTED.matches("connect.rejected.other")).isFalse();

        metrics.removeAll();
        assertThat(registry.getNames()).isEmpty();
    }

    @Test
    void an_undefined_metric_or_value_is_a_programming_error() {
        final ExtensionMetrics metrics = new ExtensionMetrics(new MetricRegistry(), "acl-extension", List.of(REJECTED));

        assertThatThrownBy(() -> metrics.counter(ACCEPTED)).hasMessageContaining("not defined");
        assertThatThrownBy(() -> metrics.counter(REJECTED, "other")).hasMessageContaining("is not one of");
        assertThatThrownBy(() -> metrics.counter(REJECTED)).hasMessageContaining("needs its {reason}");
        assertThatThrownBy(() -> metrics.timer(REJECTED)).hasMessageContaining("is not a timer");
    }
}
