package dev.certguard.crl.verify;

/** Bytes that are not a well-formed CRL. */
public final class CrlFormatException extends Exception {

    public CrlFormatException(final String message) {
        super(message);
    }
}
