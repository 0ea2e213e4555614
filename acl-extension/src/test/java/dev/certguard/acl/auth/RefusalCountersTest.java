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
    private static final dev.certguard.audit.Audit AUDIT =
            new dev.certguard.audit.Audit("acl-extension", java.time.Clock.systemUTC());

    @Test
    void each_refused_filter_of_a_suback_is_counted_and_paired_with_its_filter() {
        final SubscriptionAudit audit = new SubscriptionAudit(
                metrics,
                AUDIT,
                new dev.certguard.acl.fleet.FleetAudit(
                        java.time.Clock.systemUTC(),
                        AUDIT,
                        new dev.certguard.acl.fleet.FleetCensus(),
                        () -> dev.certguard.acl.fleet.FleetAuditConfig.DEFAULTS,
                        cut -> {}));
        final List<com.hivemq.extension.sdk.api.packets.subscribe.Subscription> filters =
                List.of(subscription("admin:a1998e/config"), subscription("+/attrs"), subscription("#"));
        audit.onInboundSubscribe(
                SdkFakes.fake(
                        com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundInput.class,
                        Map.of(
                                "getSubscribePacket",
                                SdkFakes.fake(
                                        com.hivemq.extension.sdk.api.packets.subscribe.SubscribePacket.class,
                                        Map.of("getSubscriptions", filters, "getPacketId", 7)))),
                null);
        final SubackPacket suback = SdkFakes.fake(
                SubackPacket.class,
                Map.of(
                        "getReasonCodes",
                        List.of(
                                SubackReasonCode.GRANTED_QOS_1,
                                SubackReasonCode.NOT_AUTHORIZED,
                                SubackReasonCode.NOT_AUTHORIZED),
                        "getPacketIdentifier",
                        7));

        audit.onOutboundSuback(
                SdkFakes.fake(
                        SubackOutboundInput.class,
                        Map.of(
                                "getSubackPacket", suback,
                                "getClientInformation", SdkFakes.client("admin:a1998e"),
                                "getConnectionInformation", SdkFakes.connection("tls", null))),
                null);

        assertThat(registry.counter("dev.certguard.acl-extension.subscription.denied")
                        .getCount())
                .isEqualTo(2);
    }

    private static com.hivemq.extension.sdk.api.packets.subscribe.Subscription subscription(final String filter) {
        return SdkFakes.fake(
                com.hivemq.extension.sdk.api.packets.subscribe.Subscription.class, Map.of("getTopicFilter", filter));
    }
}
