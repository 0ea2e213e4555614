package dev.certguard.broker.live;

import dev.certguard.broker.testing.TestBroker;

/** Lets tests in other packages change an extension's configuration on a running broker. */
public final class LiveFilesAccess {

    private LiveFilesAccess() {}

    /** Writes the configuration (unless unchanged) and waits until the extension has reloaded it. */
    public static void reconfigure(final TestBroker broker, final String extension, final String xml) throws Exception {
        LiveFiles.reconfigure(broker, extension, xml, false);
    }
}
