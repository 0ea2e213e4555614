package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.annotations.Nullable;
import com.hivemq.extension.sdk.api.interceptor.subscribe.SubscribeInboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundInput;
import com.hivemq.extension.sdk.api.interceptor.subscribe.parameter.SubscribeInboundOutput;
import com.hivemq.extension.sdk.api.packets.subscribe.ModifiableSubscription;
import dev.certguard.acl.config.TopicFilters;
import java.util.List;

/**
 * Refuses a service's subscriptions that its wildcard rights do not cover, where HiveMQ's own
 * permission check would grant them: HiveMQ compares a subscription filter level by level and lets
 * a permission's {@code +} match a subscription's {@code #} (so {@code +/+} would grant {@code +/#},
 * everything below the first level) and a leading wildcard match a {@code $} level. Such a
 * subscription's filter is replaced by {@value #REFUSED}{@code <n>}, which the service's permissions
 * deny first, so the SUBACK carries {@code 0x87} for exactly that entry. Added only to connections of
 * services with wildcards in their subscribe rights (devices' rights are literal). Immutable;
 * thread-safe.
 */
public final class SubscriptionGuard implements SubscribeInboundInterceptor {

    /** The first level of a refused subscription's stand-in filter, denied by every guarded service's permissions. */
    public static final String REFUSED = "$certguard-refused/";

    private final @NotNull List<String> subscribe;

    public SubscriptionGuard(final @NotNull List<String> subscribe) {
        this.subscribe = List.copyOf(subscribe);
    }

    /** Whether subscribe rights with these filters need the guard (they hold a wildcard). */
    public static boolean needed(final @NotNull List<String> subscribe) {
        for (final String filter : subscribe) {
            if (filter.contains("+") || filter.contains("#")) {
                return true;
            }
        }
        return false;
    }

    /** The stand-in for a subscription the rights do not cover, or {@code null} when they cover it. */
    public @Nullable String refused(final @NotNull String subscription, final int index) {
        final String filter = TopicFilters.withoutShare(subscription);
        for (final String allowed : subscribe) {
            if (TopicFilters.problem(filter) == null && TopicFilters.covers(allowed, filter)) {
                return null;
            }
        }
        return REFUSED + index;
    }

    @Override
    public void onInboundSubscribe(
            final @NotNull SubscribeInboundInput input, final @NotNull SubscribeInboundOutput output) {
        final List<ModifiableSubscription> subscriptions =
                output.getSubscribePacket().getSubscriptions();
        for (int i = 0; i < subscriptions.size(); i++) {
            final String standIn = refused(subscriptions.get(i).getTopicFilter(), i);
            if (standIn != null) {
                subscriptions.get(i).setTopicFilter(standIn);
            }
        }
    }
}
