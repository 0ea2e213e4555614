package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.pki.DevPki;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BrokerCertificateWatchTest {

    private static final String GAUGE = "dev.certguard.audit.broker-certificate.days-to-expiry";

    @TempDir
    Path dir;

    @Test
    void the_gauge_gives_the_days_left_of_the_certificate_a_tls_listener_presents_without_a_client_certificate()
            throws Exception {
        final TestPki pki = TestPki.create(dir);
        final X509Certificate served = read(pki.devPki().dir().resolve("broker.crt"));
        final Instant now =
                served.getNotAfter().toInstant().minus(Duration.ofDays(40).plusHours(3));
        final MetricRegistry registry = new MetricRegistry();

        try (TlsServer server = new TlsServer(pki.devPki().brokerKeystore());
                BrokerCertificateWatch watch = BrokerCertificateWatch.start(
                        List.of(
                                new ListenerCheck.Listener("plain", "127.0.0.1", 1, false),
                                new ListenerCheck.Listener("tls", "0.0.0.0", server.port(), true)),
                        registry,
                        Clock.fixed(now, ZoneOffset.UTC),
                        Duration.ofHours(1))) {

            assertThat(gauge(registry)).isEqualTo(40L);
            assertThat(server.handshakesCompleted)
                    .as("the reader never finishes a handshake")
                    .isZero();
        }
        assertThat(registry.getGauges()).as("removed when the broker stops").doesNotContainKey(GAUGE);
    }

    @Test
    void nothing_is_reported_while_no_tls_listener_can_be_read() throws Exception {
        final MetricRegistry registry = new MetricRegistry();
        final int closedPort;
        try (ServerSocket free = new ServerSocket(0)) {
            closedPort = free.getLocalPort();
        }

        try (BrokerCertificateWatch watch = BrokerCertificateWatch.start(
                List.of(new ListenerCheck.Listener("tls", "127.0.0.1", closedPort, true)),
                registry,
                Clock.systemUTC(),
                Duration.ofHours(1))) {

            assertThat(registry.getGauges())
                    .as("no invented value for a certificate never read")
                    .doesNotContainKey(GAUGE);
        }
    }

    private static long gauge(final MetricRegistry registry) {
        final Gauge<?> gauge = registry.getGauges().get(GAUGE);
        assertThat(gauge).as(GAUGE).isNotNull();
        return ((Number) gauge.getValue()).longValue();
    }

    private static X509Certificate read(final Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
    }

    /** A TLS listener that asks for a client certificate, like the broker's, on one thread. */
    private static final class TlsServer implements AutoCloseable {

        private final SSLServerSocket socket;
        private final Thread acceptor;
        volatile int handshakesCompleted;

        TlsServer(final Path keystore) throws Exception {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(keystore)) {
                store.load(in, DevPki.KEYSTORE_PASSWORD.toCharArray());
            }
            final KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, DevPki.KEYSTORE_PASSWORD.toCharArray());
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            socket = (SSLServerSocket) context.getServerSocketFactory().createServerSocket(0);
            socket.setNeedClientAuth(true);
            acceptor = new Thread(this::serve, "test-tls-listener");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        private void serve() {
            while (!socket.isClosed()) {
                try (SSLSocket client = (SSLSocket) socket.accept()) {
                    client.startHandshake();
                    handshakesCompleted++;
                } catch (final Exception e) {
                    // The reader abandons each handshake; the next one is accepted.
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5000);
        }
    }
}
