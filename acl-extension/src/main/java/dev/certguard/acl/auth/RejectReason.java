package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;

/**
 * Why a CONNECT was refused: the CONNACK reason code a client sees and the metric name an operator
 * counts. Immutable; thread-safe.
 */
public enum RejectReason {
    NO_CERTIFICATE("no-certificate", ConnackReasonCode.NOT_AUTHORIZED),
    NO_USERNAME("no-username", ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD),
    INVALID_IDENTITY("invalid-identity", ConnackReasonCode.NOT_AUTHORIZED),
    NOT_END_ENTITY("not-end-entity", ConnackReasonCode.NOT_AUTHORIZED),
    CERTIFICATE_PIN_MISMATCH("certificate-pin-mismatch", ConnackReasonCode.NOT_AUTHORIZED),
    SERVICE_NOT_ALLOWED_BY_USERNAME("service-by-username", ConnackReasonCode.NOT_AUTHORIZED),
    CLIENT_ID_MISMATCH("client-id-mismatch", ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID),
    CLIENT_ID_NOT_BOUND("client-id-not-bound", ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID),
    WILL_DENIED("will-denied", ConnackReasonCode.NOT_AUTHORIZED),
    CONFIG_INVALID("config-invalid", ConnackReasonCode.SERVER_UNAVAILABLE);

    private final @NotNull String metricName;
    private final @NotNull ConnackReasonCode connackReasonCode;

    RejectReason(final @NotNull String metricName, final @NotNull ConnackReasonCode connackReasonCode) {
        this.metricName = metricName;
        this.connackReasonCode = connackReasonCode;
    }

    public @NotNull String metricName() {
        return metricName;
    }

    public @NotNull ConnackReasonCode connackReasonCode() {
        return connackReasonCode;
    }
}
