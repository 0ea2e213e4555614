package dev.certguard.pki;

/** A PKI command that cannot be carried out, with a message for the person who ran it. */
public final class PkiException extends Exception {

    public PkiException(final String message) {
        super(message);
    }
}
