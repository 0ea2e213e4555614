package dev.certguard.crl.ocsp;

import com.hivemq.extension.sdk.api.annotations.NotNull;

/**
 * Why OCSP gave no status for a certificate: the cause named in logs, in the CONNACK's refusal
 * detail, and in the metric {@code ocsp.failures.<cause>}. Immutable; thread-safe.
 */
public enum OcspFailure {
    REQUEST("request", "the request could not be built (e.g. the issuer's key hash), or the responder URL is unusable"),
    NO_RESPONDER("no-responder", "no responder-url is configured and the certificate names no OCSP URL (AIA)"),
    HTTP("http", "the responder could not be reached, or answered with an HTTP error or an oversized body"),
    TIMEOUT("timeout", "no answer within ocsp/timeout-seconds"),
    MALFORMED("malformed", "the answer is not a well-formed OCSP response"),
    RESPONDER_STATUS("responder-status", "the responder refused (tryLater, unauthorized, internalError, ...)"),
    SIGNATURE("signature", "the answer is not signed by the issuing CA or a responder it delegated to (OCSPSigning)"),
    NONCE("nonce", "with use-nonce, the answer does not echo the request's nonce"),
    NOT_YET_VALID("not-yet-valid", "the answer's thisUpdate is in the future"),
    STALE("stale", "the answer's nextUpdate has passed"),
    NO_MATCHING_RESPONSE("no-matching-response", "the answer holds no status for the certificate asked about"),
    /** Not counted in a metric: an unexpected error while a CONNECT's answers were gathered. */
    INTERNAL("internal", "an unexpected error while the answers were gathered");

    private final @NotNull String cause;
    private final @NotNull String meaning;

    OcspFailure(final @NotNull String cause, final @NotNull String meaning) {
        this.cause = cause;
        this.meaning = meaning;
    }

    /** The cause as logs and metrics name it. */
    public @NotNull String cause() {
        return cause;
    }

    /** What the cause means, for the documentation. */
    public @NotNull String meaning() {
        return meaning;
    }
}
