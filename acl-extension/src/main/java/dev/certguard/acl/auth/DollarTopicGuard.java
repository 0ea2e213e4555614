package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishInboundOutput;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import dev.certguard.acl.config.TopicFilters;
import dev.certguard.reason.Reason;
import java.util.List;

/**
 * Keeps a service whose publish rights start with a wildcard ({@code +/config}) out of topics that
 * start with {@code $} ({@code $SYS/...}), as MQTT's matching rules say and as certguard applies
 * them to wills: HiveMQ's permission evaluator lets a leading wildcard match a {@code $} level, and
 * no permission filter can say "not starting with $". Added only to connections of such services,
 * so no device and no other service pays a check per PUBLISH. Immutable; thread-safe.
 */
public final class DollarTopicGuard implements PublishInboundInterceptor {

    public static final Reason DOLLAR_TOPIC = Reason.puback(
                    AckReasonCode.NOT_AUTHORIZED,
                    null,
                    "topics starting with $ are outside this identity's publish rights",
                    "A service whose publish rights start with a wildcard publishes to a $ topic no literal $ filter"
                            + " of its names (the message is not delivered).")
            .withMqtt3("a PUBACK without a code; the message is not delivered");
    static final String REASON = DOLLAR_TOPIC.text();

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
            output.preventPublishDelivery(DOLLAR_TOPIC.ackCode(), REASON);
        }
    }
}
