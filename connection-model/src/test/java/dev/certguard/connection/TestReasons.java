package dev.certguard.connection;

import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.reason.Reason;

/** DISCONNECT reasons for the connection model's own tests. */
final class TestReasons {

    static final Reason REVOKED = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED, "revoked", "certificate revoked", "A test's revocation.");
    static final Reason LIFETIME =
            Reason.disconnect(DisconnectReasonCode.MAXIMUM_CONNECT_TIME, "lifetime", "lifetime", "A test's lifetime.");

    private TestReasons() {}
}
