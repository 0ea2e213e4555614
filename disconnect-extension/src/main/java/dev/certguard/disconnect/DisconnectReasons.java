package dev.certguard.disconnect;

import dev.certguard.disconnect.hivemq.RefuseEveryone;
import dev.certguard.disconnect.lifetime.Deadline;
import dev.certguard.reason.Reason;
import java.util.List;

/**
 * Every reason code and string disconnect-extension sends, in the order the reference documentation
 * lists them (each is defined where it is sent). Immutable; thread-safe.
 */
public final class DisconnectReasons {

    public static final List<Reason> ALL = List.of(
            Deadline.LIFETIME_REACHED,
            Deadline.CERTIFICATE_EXPIRES,
            Deadline.INTERMEDIATE_EXPIRES,
            RefuseEveryone.CONNACK,
            RefuseEveryone.PUBLISH,
            RefuseEveryone.SUBSCRIBE,
            RefuseEveryone.DISCONNECT);

    private DisconnectReasons() {}
}
