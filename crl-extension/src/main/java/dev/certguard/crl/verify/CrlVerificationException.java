package dev.certguard.crl.verify;

/** A well-formed CRL that must not be used, with the reason. */
public final class CrlVerificationException extends Exception {

    public CrlVerificationException(final String message) {
        super(message);
    }
}
