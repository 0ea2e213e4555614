package dev.certguard.status;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import org.junit.jupiter.api.Test;

class ExtensionStatusTest {

    @Test
    void a_failure_reason_quoting_a_configuration_file_is_neutralised_and_bounded() {
        final MetricRegistry registry = new MetricRegistry();

        ExtensionStatus.reportFailed(
                registry, "acl-extension", "invalid configuration: was 'a\nb\u202e" + "x".repeat(5_000) + "'");

        final String status = (String) registry.getGauges()
                .get(ExtensionStatus.gaugeName("acl-extension"))
                .getValue();
        assertThat(status).startsWith("failed: invalid configuration: was 'a\\u000ab\\u202ex");
        assertThat(status).endsWith("chars)").hasSizeLessThan(1_100);
        assertThat(registry.getGauges()
                        .get(ExtensionStatus.runningGaugeName("acl-extension"))
                        .getValue())
                .isEqualTo(0);
    }
}
