package dev.certguard.crl.crl;

/** Bytes that are not a well-formed CRL. */
public final class CrlFormatException extends Exception {

    public CrlFormatException(final String message) {
        super(message);
    }
}
