package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.interceptor.suback.SubackOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.suback.parameter.SubackOutboundOutput;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;

/**
 * Counts topic filters the broker refused in each SUBACK. SUBACKs are rare next to PUBLISHes, so
 * this costs nothing on the message path. Stateless; thread-safe.
 */
public final class DeniedSubscriptionCounter implements SubackOutboundInterceptor {

    private final @NotNull AclMetrics metrics;

    public DeniedSubscriptionCounter(final @NotNull AclMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onOutboundSuback(final @NotNull SubackOutboundInput input, final @NotNull SubackOutboundOutput output) {
        int denied = 0;
        for (final SubackReasonCode code : input.getSubackPacket().getReasonCodes()) {
            if (code == SubackReasonCode.NOT_AUTHORIZED) {
                denied++;
            }
        }
        if (denied > 0) {
            metrics.subscriptionsDenied(denied);
        }
    }
}
