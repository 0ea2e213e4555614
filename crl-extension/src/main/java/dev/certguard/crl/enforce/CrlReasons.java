package dev.certguard.crl.enforce;

import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import com.hivemq.extension.sdk.api.packets.disconnect.DisconnectReasonCode;
import dev.certguard.reason.Reason;
import java.util.List;

/**
 * Every reason code and string crl-extension sends, each defined once: a refused CONNECT and a cut
 * connection share the name the audit trail and the metrics use. Immutable; thread-safe.
 */
public final class CrlReasons {

    private static final String DENIED_TEXT = "certificate denied by operator";
    private static final String UNKNOWN_ISSUER_TEXT = "certificate issuer unknown";
    private static final String REVOKED_TEXT = "certificate revoked";
    private static final String UNAVAILABLE_TEXT = "certificate revocation status unavailable";
    private static final String OCSP_REVOKED_TEXT = "certificate revoked (OCSP)";

    public static final Reason DENIED = Reason.connack(
            ConnackReasonCode.NOT_AUTHORIZED,
            "denied",
            DENIED_TEXT,
            "The operator's deny list names the client certificate's fingerprint or its identity.");
    public static final Reason UNKNOWN_ISSUER = Reason.connack(
            ConnackReasonCode.NOT_AUTHORIZED,
            "unknown-issuer",
            UNKNOWN_ISSUER_TEXT,
            "A certificate on the path was issued by a CA that is not one of ca-certificates.");
    public static final Reason REVOKED = Reason.connack(
            ConnackReasonCode.NOT_AUTHORIZED,
            "revoked",
            REVOKED_TEXT,
            "A CRL in use revokes the client certificate or a CA on its path.");
    public static final Reason UNAVAILABLE = Reason.connack(
            ConnackReasonCode.SERVER_UNAVAILABLE,
            "unavailable",
            UNAVAILABLE_TEXT,
            "An issuer on the path has no usable CRL covering the certificate (none yet; expired past its"
                    + " grace period; its partition or delta not loaded or stale; not every reason covered; its"
                    + " distribution point under no allowed prefix, failed, or slower than http-timeout-seconds)"
                    + " and when-unavailable is reject.");
    public static final Reason OCSP_REVOKED = Reason.connack(
            ConnackReasonCode.NOT_AUTHORIZED,
            "ocsp-revoked",
            OCSP_REVOKED_TEXT,
            "OCSP says the client certificate or a CA on its path is revoked.");
    public static final Reason OCSP_UNAVAILABLE = Reason.connack(
            ConnackReasonCode.SERVER_UNAVAILABLE,
            "ocsp-unavailable",
            UNAVAILABLE_TEXT,
            "No good OCSP status could be had (see ocsp.failures) and ocsp/when-unavailable is reject; also"
                    + " when the answers take longer than ocsp/timeout-seconds plus 2 s.");
    public static final Reason CONFIG_INVALID = Reason.connack(
            ConnackReasonCode.SERVER_UNAVAILABLE,
            "config-invalid",
            "crl-extension configuration is invalid; the broker accepts no clients until it is fixed",
            "The configuration was invalid at start: every client is refused until it is fixed and HiveMQ"
                    + " restarted.");
    public static final Reason CUT_DENIED = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED,
            "denied",
            DENIED_TEXT,
            "A deny-list edit names a connected client (its session is removed with"
                    + " purge-session-on-revocation).");
    public static final Reason CUT_UNKNOWN_ISSUER = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED,
            "unknown-issuer",
            UNKNOWN_ISSUER_TEXT,
            "A reload removed the CA that issued a connected client's path from ca-certificates.");
    public static final Reason CUT_REVOKED = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED,
            "revoked",
            REVOKED_TEXT,
            "A new CRL revokes a connected client's certificate or a CA on its path, with"
                    + " disconnect-revoked-clients (its session is removed with purge-session-on-revocation).");
    public static final Reason CUT_OCSP_REVOKED = Reason.disconnect(
            DisconnectReasonCode.NOT_AUTHORIZED,
            "ocsp-revoked",
            OCSP_REVOKED_TEXT,
            "A refreshed OCSP answer says a connected client's certificate or a CA on its path is revoked.");

    /** In the order the reference documentation lists them. */
    public static final List<Reason> ALL = List.of(
            DENIED,
            UNKNOWN_ISSUER,
            REVOKED,
            UNAVAILABLE,
            OCSP_REVOKED,
            OCSP_UNAVAILABLE,
            CONFIG_INVALID,
            CUT_DENIED,
            CUT_UNKNOWN_ISSUER,
            CUT_REVOKED,
            CUT_OCSP_REVOKED);

    private CrlReasons() {}
}
