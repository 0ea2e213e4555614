package dev.certguard.broker.testing;

import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

/**
 * A program that does one TLS 1.3 handshake over loopback with the JDK's TLS, as HiveMQ does, and
 * nothing else: run as {@code java -javaagent:... -jar probe.jar KEYSTORE TRUSTSTORE PASSWORD}, from
 * a jar that holds only this class, it shows which providers a JVM started with {@code -jar} uses
 * (the JDK's provider trace). Not part of any broker.
 */
public final class TlsProbe {

    private TlsProbe() {}

    public static void main(final String[] args) throws Exception {
        final char[] password = args[2].toCharArray();
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(args[0])) {
            keys.load(in, password);
        }
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(args[1])) {
            trusted.load(in, password);
        }
        final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        final TrustManagerFactory trustManagers =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        try (SSLServerSocket server = (SSLServerSocket)
                context.getServerSocketFactory().createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            final Thread accepting = new Thread(() -> {
                try (SSLSocket accepted = (SSLSocket) server.accept()) {
                    accepted.startHandshake();
                    final OutputStream out = accepted.getOutputStream();
                    out.write(1);
                    out.flush();
                } catch (final Exception e) {
                    e.printStackTrace();
                }
            });
            accepting.start();
            try (SSLSocket client = (SSLSocket)
                    context.getSocketFactory().createSocket(InetAddress.getLoopbackAddress(), server.getLocalPort())) {
                client.startHandshake();
                System.out.println("tls-probe: handshake done, read "
                        + client.getInputStream().read());
            }
            accepting.join();
        }
    }
}
