package dev.certguard.acl.live;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.interceptor.publish.PublishOutboundInterceptor;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundInput;
import com.hivemq.extension.sdk.api.interceptor.publish.parameter.PublishOutboundOutput;
import dev.certguard.acl.auth.AclRuntime;
import dev.certguard.acl.auth.Principal;
import dev.certguard.acl.config.ServiceRule;
import java.util.function.Supplier;

/**
 * Drops messages to a connection of a service whose rights a reload narrowed, when the service's
 * rights in force no longer cover the message's topic: messages queued in its session before the
 * change (matched by a subscription since removed) are never delivered when the session resumes.
 * Added only to connections of services narrowed since the broker started, so no other connection
 * pays for a check per message. Immutable; thread-safe.
 */
public final class DeliveryFilter implements PublishOutboundInterceptor {

    private final @NotNull String service;
    private final @NotNull Supplier<AclRuntime> runtime;

    public DeliveryFilter(final @NotNull String service, final @NotNull Supplier<AclRuntime> runtime) {
        this.service = service;
        this.runtime = runtime;
    }

    /** The identity that owns a broker-side client id. */
    public static @NotNull String owner(final @NotNull String clientId) {
        return LiveRights.owner(clientId);
    }

    @Override
    public void onOutboundPublish(
            final @NotNull PublishOutboundInput input, final @NotNull PublishOutboundOutput output) {
        final ServiceRule rule = runtime.get().config().service(service);
        if (rule == null
                || !Principal.service(rule).mayReceive(input.getPublishPacket().getTopic())) {
            output.preventPublishDelivery();
        }
    }
}
