package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import dev.certguard.acl.config.TopicFilters;
import java.util.List;

/**
 * Keeps a service whose publish rights start with a wildcard ({@code +/config}) out of topics that
 * start with {@code $} ({@code $SYS/...}), as MQTT's matching rules say and as certguard applies
 * them to wills: HiveMQ's permission evaluator lets a leading wildcard match a {@code $} level, and
 * no permission filter can say "not starting with $". Added only to connections of such services,
 * so no device and no other service pays a check per PUBLISH. Immutable; thread-safe.
 */
public final class DollarTopicGuard implements PublishInboundInterceptor {

    static final String REASON = "topics starting with $ are outside this identity's publish rights";

    private final @NotNull List<String> publish;

    public DollarTopicGuard(final @NotNull List<String> publish) {
        this.publish = List.copyOf(publish);
    }

    /** Whether a connection with these publish filters needs the guard at all. */
    public static boolean needed(final @NotNull List<String> publish) {
        for (final String filter : publish) {
            if (filter.startsWith("+") || filter.startsWith("#")) {
                return true;
            }
        }
        return false;
    }

    /** Whether a PUBLISH to {@code topic} is refused here (a {@code $} topic no literal filter names). */
    public boolean blocks(final @NotNull String topic) {
        if (!topic.startsWith("$")) {
            return false;
        }
        for (final String filter : publish) {
            if (TopicFilters.matches(filter, topic)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void onInboundPublish(final @NotNull PublishInboundInput input, final @NotNull PublishInboundOutput output) {
        if (blocks(input.getPublishPacket().getTopic())) {
            output.preventPublishDelivery(AckReasonCode.NOT_AUTHORIZED, REASON);
        }
    }
}
