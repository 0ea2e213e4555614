package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation;
import com.hivemq.extension.sdk.api.interceptor.suback.SubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundOutput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.SubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundOutput;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.Subscription;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.fleet.Offenders;
import dev.certguard.acl.live.DeliveryFilter;
import dev.certguard.audit.Audit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Counts and audits the topic filters the broker refused in each SUBACK of one connection: the
 * SUBSCRIBE's filters are kept by packet id until their SUBACK pairs each reason code with its
 * filter. SUBSCRIBEs are rare next to PUBLISHes, so this costs nothing on the message path.
 * Thread-safe: one instance per connection; its packets are handled in order, the map is concurrent.
 */
public final class SubscriptionAudit implements SubscribeInboundInterceptor, SubackOutboundInterceptor {

    private final @NotNull AclMetrics metrics;
    private final @NotNull Audit audit;
    private final @NotNull FleetAudit fleetAudit;
    private final Map<Integer, List<String>> pending = new ConcurrentHashMap<>();

    public SubscriptionAudit(
            final @NotNull AclMetrics metrics, final @NotNull Audit audit, final @NotNull FleetAudit fleetAudit) {
        this.metrics = metrics;
        this.audit = audit;
        this.fleetAudit = fleetAudit;
    }

    @Override
    public void onInboundSubscribe(
            final @NotNull SubscribeInboundInput input, final @NotNull SubscribeInboundOutput output) {
        final List<String> filters = new ArrayList<>();
        for (final Subscription subscription : input.getSubscribePacket().getSubscriptions()) {
            filters.add(subscription.getTopicFilter());
        }
        pending.put(input.getSubscribePacket().getPacketId(), filters);
    }

    @Override
    public void onOutboundSuback(final @NotNull SubackOutboundInput input, final @NotNull SubackOutboundOutput output) {
        final List<String> filters = pending.remove(input.getSubackPacket().getPacketIdentifier());
        final List<SubackReasonCode> codes = input.getSubackPacket().getReasonCodes();
        int denied = 0;
        for (int i = 0; i < codes.size(); i++) {
            if (codes.get(i) != SubackReasonCode.NOT_AUTHORIZED) {
                continue;
            }
            denied++;
            final ConnectionInformation connection = input.getConnectionInformation();
            audit.event("subscription.denied")
                    .reason("not-authorized")
                    .clientId(input.getClientInformation().getClientId())
                    .topic(filters != null && i < filters.size() ? filters.get(i) : null)
                    .connection(connection)
                    .write();
        }
        if (denied > 0) {
            metrics.subscriptionsDenied(denied);
            fleetAudit.offended(
                    Offenders.Kind.SUBSCRIBE_DENIED,
                    DeliveryFilter.owner(input.getClientInformation().getClientId()),
                    denied);
        }
    }
}
