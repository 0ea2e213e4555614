package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundInput;
import com.hivemq.extension.sdk.api.packets.suback.SubackPacket;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import dev.certguard.testing.SdkFakes;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RefusalCountersTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final AclMetrics metrics = new AclMetrics(registry);

    @Test
    void each_refused_filter_of_a_suback_is_counted() {
        final SubackPacket suback = SdkFakes.fake(
                SubackPacket.class,
                Map.of(
                        "getReasonCodes",
                        List.of(
                                SubackReasonCode.GRANTED_QOS_1,
                                SubackReasonCode.NOT_AUTHORIZED,
                                SubackReasonCode.NOT_AUTHORIZED)));

        new DeniedSubscriptionCounter(metrics)
                .onOutboundSuback(SdkFakes.fake(SubackOutboundInput.class, Map.of("getSubackPacket", suback)), null);

        assertThat(registry.counter("dev.certguard.acl-extension.subscription.denied")
                        .getCount())
                .isEqualTo(2);
    }
}
