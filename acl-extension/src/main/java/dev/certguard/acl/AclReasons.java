package dev.certguard.acl;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import com.hivemq.extension.sdk.api.packets.publish.AckReasonCode;
import com.hivemq.extension.sdk.api.packets.subscribe.SubackReasonCode;
import dev.certguard.acl.auth.DollarTopicGuard;
import dev.certguard.acl.auth.RejectReason;
import dev.certguard.acl.fleet.FleetAudit;
import dev.certguard.acl.live.LiveRights;
import dev.certguard.reason.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * Every reason code and string a client of acl-extension receives, in the order the reference
 * documentation lists them: each one certguard sends is defined where it is sent; the refusals HiveMQ
 * sends from the default permissions certguard grants are defined here. Immutable; thread-safe.
 */
public final class AclReasons {

    /** Sent by HiveMQ from the identity's default permissions; listed because clients receive it. */
    public static final Reason PUBLISH_REFUSED_BY_PERMISSIONS = Reason.puback(
                    AckReasonCode.NOT_AUTHORIZED,
                    null,
                    "Not authorized to publish on topic '{topic}' with QoS '{qos}' and retain '{retain}'",
                    "Sent by HiveMQ for a PUBLISH outside the identity's rights (QoS 2: PUBREC; QoS 0: no answer);"
                            + " certguard counts publish.denied and audits it. A DISCONNECT follows.")
            .withMqtt3("the connection is closed");

    public static final Reason DISCONNECT_AFTER_REFUSED_PUBLISH = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED,
            null,
            "Not authorized to publish on topic '{topic}' with QoS '{qos}' and retain '{retain}'",
            "Sent by HiveMQ right after a refused PUBLISH.");

    public static final Reason SUBSCRIPTION_REFUSED_BY_PERMISSIONS = Reason.suback(
            SubackReasonCode.NOT_AUTHORIZED,
            null,
            "Not authorized to subscribe to topic '{filter}' with QoS '{qos}'",
            "Sent by HiveMQ for each topic filter outside the identity's rights (the strings of several are"
                    + " joined with '. '); the other filters are granted. certguard counts subscription.denied.");

    public static final List<Reason> ALL = all();

    private AclReasons() {}

    private static List<Reason> all() {
        final List<Reason> all = new ArrayList<>();
        for (final RejectReason reason : RejectReason.values()) {
            all.add(reason.reason());
        }
        all.add(FleetAudit.SHARED_CUT);
        all.add(LiveRights.SERVICE_REMOVED);
        all.add(LiveRights.NARROWED);
        all.add(LiveRights.NOW_REFUSED);
        all.add(PUBLISH_REFUSED_BY_PERMISSIONS);
        all.add(DISCONNECT_AFTER_REFUSED_PUBLISH);
        all.add(SUBSCRIPTION_REFUSED_BY_PERMISSIONS);
        all.add(DollarTopicGuard.DOLLAR_TOPIC);
        return List.copyOf(all);
    }
}
