package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;

/**
 * Why a CONNECT was refused: the CONNACK reason code a client sees and the metric name an operator
 * counts. Immutable; thread-safe.
 */
public enum RejectReason {
    NO_CERTIFICATE("no-certificate", ConnackReasonCode.NOT_AUTHORIZED, "no client certificate on a TLS listener"),
    NO_USERNAME(
            "no-username",
            ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
            "no username on a username-identity (testing) listener"),
    INVALID_IDENTITY(
            "invalid-identity",
            ConnackReasonCode.NOT_AUTHORIZED,
            "the CN is not a valid device identity or configured service (or the subject has no single CN)"),
    NOT_END_ENTITY(
            "not-end-entity",
            ConnackReasonCode.NOT_AUTHORIZED,
            "the client certificate is a CA certificate (basicConstraints CA:TRUE or keyCertSign)"),
    CERTIFICATE_PIN_MISMATCH(
            "certificate-pin-mismatch",
            ConnackReasonCode.NOT_AUTHORIZED,
            "a service's certificate is not the one its certificate-sha256 pins"),
    SERVICE_NOT_ALLOWED_BY_USERNAME(
            "service-by-username",
            ConnackReasonCode.NOT_AUTHORIZED,
            "a service claimed by username without allow-username-identity"),
    CLIENT_ID_MISMATCH(
            "client-id-mismatch",
            ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
            "with require-client-id-equals-identity, a client id other than the identity"),
    CLIENT_ID_NOT_BOUND(
            "client-id-not-bound",
            ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
            "the client id reached authentication outside the identity's namespace (another extension rewrote it)"),
    WILL_DENIED("will-denied", ConnackReasonCode.NOT_AUTHORIZED, "a will message on a topic the identity may not use"),
    CONFIG_INVALID(
            "config-invalid",
            ConnackReasonCode.SERVER_UNAVAILABLE,
            "the extension's configuration is invalid: every client is refused until it is fixed");

    private final @NotNull String metricName;
    private final @NotNull ConnackReasonCode connackReasonCode;

    private final @NotNull String meaning;

    RejectReason(
            final @NotNull String metricName,
            final @NotNull ConnackReasonCode connackReasonCode,
            final @NotNull String meaning) {
        this.metricName = metricName;
        this.connackReasonCode = connackReasonCode;
        this.meaning = meaning;
    }

    /** When a CONNECT is refused for this reason, for the documentation. */
    public @NotNull String meaning() {
        return meaning;
    }

    public @NotNull String metricName() {
        return metricName;
    }

    public @NotNull ConnackReasonCode connackReasonCode() {
        return connackReasonCode;
    }
}
