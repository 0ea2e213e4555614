package dev.certguard.acl;

import dev.certguard.acl.auth.DollarTopicGuard;
import dev.certguard.acl.auth.RejectReason;
import dev.certguard.acl.live.LiveRights;
import dev.certguard.reason.Reason;
import java.util.ArrayList;
import java.util.List;

/**
 * Every reason code and string acl-extension sends, in the order the reference documentation lists
 * them (each is defined where it is sent). Immutable; thread-safe.
 */
public final class AclReasons {

    public static final List<Reason> ALL = all();

    private AclReasons() {}

    private static List<Reason> all() {
        final List<Reason> all = new ArrayList<>();
        for (final RejectReason reason : RejectReason.values()) {
            all.add(reason.reason());
        }
        all.add(LiveRights.SERVICE_REMOVED);
        all.add(LiveRights.NARROWED);
        all.add(LiveRights.NOW_REFUSED);
        all.add(DollarTopicGuard.DOLLAR_TOPIC);
        return List.copyOf(all);
    }
}
