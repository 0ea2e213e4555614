package dev.certguard.acl.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.events.client.parameters.ServerInitiatedDisconnectInput;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundInput;
import com.hivemq.extension.sdk.api.packets.general.DisconnectedReasonCode;
import com.hivemq.extension.sdk.api.packets.suback.SubackPacket;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import dev.certguard.testing.SdkFakes;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RefusalCountersTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final AclMetrics metrics = new AclMetrics(registry);

    private static ServerInitiatedDisconnectInput serverDisconnect(
            final DisconnectedReasonCode code, final String reason) {
        return SdkFakes.fake(
                ServerInitiatedDisconnectInput.class,
                Map.of("getReasonCode", Optional.ofNullable(code), "getReasonString", Optional.ofNullable(reason)));
    }

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

    @Test
    void only_hivemqs_publish_refusal_counts_as_a_denied_publish() {
        // Pins HiveMQ's reason string for a refused PUBLISH ("Not authorized to publish ..."): if HiveMQ
        // changes it, the end-to-end publish-denied metric test fails as well.
        final DeniedPublishCounter counter = new DeniedPublishCounter(metrics);

        counter.onServerInitiatedDisconnect(serverDisconnect(
                DisconnectedReasonCode.NOT_AUTHORIZED, "Not authorized to publish on topic 'x' with QoS '1'"));
        counter.onServerInitiatedDisconnect(
                serverDisconnect(DisconnectedReasonCode.NOT_AUTHORIZED, "certificate revoked"));
        counter.onServerInitiatedDisconnect(serverDisconnect(DisconnectedReasonCode.MAXIMUM_CONNECT_TIME, null));

        assertThat(registry.counter("dev.certguard.acl-extension.publish.denied")
                        .getCount())
                .isEqualTo(1);
    }
}
