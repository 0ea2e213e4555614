package dev.certguard.broker;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes a HiveMQ {@code config.xml}: mutual-TLS listeners (client certificate REQUIRED, TLSv1.3 and
 * TLSv1.2 only) and, for testing, plain TCP listeners. Used by the dev launcher and the tests; the
 * operator's template lives in {@code src/main/home/conf/config.xml}. Not thread-safe (a builder).
 */
public final class HiveMqConfigXml {

    private final List<String> listeners = new ArrayList<>();
    private boolean inMemory;

    /** Adds a TLS listener that requires a client certificate trusted by the truststore. */
    public HiveMqConfigXml tlsListener(
            final String name,
            final String bindAddress,
            final int port,
            final Path keystore,
            final String keystorePassword,
            final Path truststore,
            final String truststorePassword) {
        listeners.add(
                """
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>%s</name>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <truststore>
                                    <path>%s</path>
                                    <password>%s</password>
                                </truststore>
                                <client-authentication-mode>REQUIRED</client-authentication-mode>
                                <protocols>
                                    <protocol>TLSv1.3</protocol>
                                    <protocol>TLSv1.2</protocol>
                                </protocols>
                            </tls>
                        </tls-tcp-listener>
                """
                        .formatted(
                                port,
                                xml(bindAddress),
                                xml(name),
                                xml(keystore.toAbsolutePath().toString()),
                                xml(keystorePassword),
                                xml(keystorePassword),
                                xml(truststore.toAbsolutePath().toString()),
                                xml(truststorePassword)));
        return this;
    }

    /** Adds a plain TCP listener: for username-identity testing only. */
    public HiveMqConfigXml tcpListener(final String name, final String bindAddress, final int port) {
        listeners.add(
                """
                        <tcp-listener>
                            <port>%d</port>
                            <bind-address>%s</bind-address>
                            <name>%s</name>
                        </tcp-listener>
                """
                        .formatted(port, xml(bindAddress), xml(name)));
        return this;
    }

    /** Keeps sessions and messages in memory only (tests). */
    public HiveMqConfigXml inMemoryPersistence() {
        inMemory = true;
        return this;
    }

    public String render() {
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<hivemq>\n    <listeners>\n"
                + String.join("", listeners)
                + "    </listeners>\n"
                + (inMemory ? "    <persistence>\n        <mode>in-memory</mode>\n    </persistence>\n" : "")
                + "    <anonymous-usage-statistics>\n        <enabled>false</enabled>\n    </anonymous-usage-statistics>\n"
                + "</hivemq>\n";
    }

    public void write(final Path file) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, render(), StandardCharsets.UTF_8);
    }

    private static String xml(final String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
