package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.packets.connect.ConnackReasonCode;
import dev.certguard.reason.Reason;

/**
 * Why a CONNECT was refused: the CONNACK reason code a client sees and the metric name an operator
 * counts. Immutable; thread-safe.
 */
public enum RejectReason {
    NO_CERTIFICATE(
            "no-certificate",
            ConnackReasonCode.NOT_AUTHORIZED,
            "a client certificate is required",
            "no client certificate on a TLS listener"),
    NO_USERNAME(
            "no-username",
            ConnackReasonCode.BAD_USER_NAME_OR_PASSWORD,
            "a username (tenant:device_id) is required on this listener",
            "no username on a username-identity (testing) listener"),
    INVALID_IDENTITY(
            "invalid-identity",
            ConnackReasonCode.NOT_AUTHORIZED,
            "{problem}",
            "the CN is not a valid device identity or configured service, or the subject has not exactly one CN; the string names the rule it breaks"),
    NOT_END_ENTITY(
            "not-end-entity",
            ConnackReasonCode.NOT_AUTHORIZED,
            "client certificate is a CA certificate (basicConstraints CA:TRUE or keyCertSign); an identity needs an end-entity certificate",
            "the client certificate is a CA certificate (basicConstraints CA:TRUE or keyCertSign)"),
    CERTIFICATE_PIN_MISMATCH(
            "certificate-pin-mismatch",
            ConnackReasonCode.NOT_AUTHORIZED,
            "certificate is not the one pinned for service {service}",
            "a service's certificate is not the one its certificate-sha256 pins"),
    SERVICE_NOT_ALLOWED_BY_USERNAME(
            "service-by-username",
            ConnackReasonCode.NOT_AUTHORIZED,
            "service {service} must authenticate with its certificate",
            "a service claimed by username without allow-username-identity"),
    KEY_TOO_WEAK(
            "key-too-weak",
            ConnackReasonCode.NOT_AUTHORIZED,
            "certificate key too weak",
            "the certificate's key or signature breaks a fleet-audit key-quality rule (RSA below minimum-rsa-bits, ROCA, an EC curve other than P-256/384/521, an MD5 or SHA-1 signature) and fleet-audit's action is refuse; the WARN names the rule"),
    CERTIFICATE_SHARED(
            "certificate-shared",
            ConnackReasonCode.NOT_AUTHORIZED,
            "certificate shared by several devices",
            "the certificate was found held by several devices (fleet-audit certificate-shared) and on-shared-certificate is refuse: it is quarantined for quarantine-seconds"),
    CLIENT_ID_MISMATCH(
            "client-id-mismatch",
            ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
            "client id must equal the identity {identity}",
            "with require-client-id-equals-identity, a client id other than the identity"),
    CLIENT_ID_NOT_BOUND(
            "client-id-not-bound",
            ConnackReasonCode.CLIENT_IDENTIFIER_NOT_VALID,
            "client id is not bound to identity {identity}",
            "the client id reached authentication outside the identity's namespace (another extension rewrote it)"),
    WILL_DENIED(
            "will-denied",
            ConnackReasonCode.NOT_AUTHORIZED,
            "will topic '{topic}' is not allowed for {identity}",
            "a will message on a topic the identity may not use"),
    CONFIG_INVALID(
            "config-invalid",
            ConnackReasonCode.SERVER_UNAVAILABLE,
            "acl-extension configuration is invalid; the broker accepts no clients until it is fixed",
            "the configuration was invalid at start: every client is refused until it is fixed and HiveMQ restarted");

    private final @NotNull String metricName;
    private final @NotNull ConnackReasonCode connackReasonCode;

    private final @NotNull String meaning;

    private final @NotNull Reason reason;

    RejectReason(
            final @NotNull String metricName,
            final @NotNull ConnackReasonCode connackReasonCode,
            final @NotNull String template,
            final @NotNull String meaning) {
        this.metricName = metricName;
        this.connackReasonCode = connackReasonCode;
        this.meaning = meaning;
        this.reason = Reason.connack(
                connackReasonCode,
                metricName,
                template,
                Character.toUpperCase(meaning.charAt(0)) + meaning.substring(1) + ".");
    }

    /** The CONNACK this refusal sends. */
    public @NotNull Reason reason() {
        return reason;
    }

    /** The reason string, its placeholders filled in order. */
    public @NotNull String text(final @NotNull Object... values) {
        return reason.text(values);
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
