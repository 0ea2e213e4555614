package dev.certguard.broker.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.Mqtt5BlockingClient;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * After heavy churn that includes CONNECTs aborted at every point a client can abort them, every
 * per-connection record of the three extensions drains to zero, and quickly. This is the answer to
 * "records still held a few seconds after a churn": a drain that lags HiveMQ's per-client event
 * queue, never a leak; a leak would leave a gauge above zero for good and fail this test.
 */
class ChurnDrainTest {

    private static final List<String> TRACKED = List.of(
            "dev.certguard.acl-extension.connections.tracked",
            "dev.certguard.crl-extension.connections.tracked",
            "dev.certguard.disconnect-extension.connections.tracked",
            "dev.certguard.disconnect-extension.client-ids.tracked",
            "com.hivemq.networking.connections.current");
    private static final int CYCLES = 2_000;
    private static final int THREADS = 8;
    private static final Duration DRAIN_LIMIT = Duration.ofSeconds(10);

    @TempDir
    static Path dir;

    @AutoClose
    static TestBroker broker;

    static TestPki pki;

    @BeforeAll
    static void startBroker() throws Exception {
        pki = TestPki.create(dir.resolve("pki"));
        broker = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "acl-extension",
                        """
                        <acl-extension><services>
                            <service><identity>churn-bridge</identity><subscribe>+/attrs</subscribe></service>
                        </services></acl-extension>""")
                .extensionConfig(
                        "disconnect-extension",
                        """
                        <disconnect-extension>
                            <max-connection-lifetime-seconds>2</max-connection-lifetime-seconds>
                            <jitter-percent>50</jitter-percent>
                        </disconnect-extension>""")
                .start();
    }

    @Test
    void every_tracked_record_drains_to_zero_after_churn_with_aborted_connects() throws Exception {
        final List<Credentials> devices = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            devices.add(pki.client("churn:d" + i));
        }
        devices.add(pki.client("churn-bridge"));
        final List<SSLContext> tls = new ArrayList<>();
        for (final Credentials device : devices) {
            tls.add(sslContext(device));
        }

        final Map<String, Integer> done = new LinkedHashMap<>();
        final ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            final List<Future<Map<String, Integer>>> runs = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                final int thread = t;
                runs.add(pool.submit(() -> churn(thread, devices, tls)));
            }
            for (final Future<Map<String, Integer>> run : runs) {
                run.get(5, TimeUnit.MINUTES).forEach((kind, n) -> done.merge(kind, n, Integer::sum));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(done.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CYCLES);
        assertThat(done.get("aborted-after-connect") + done.get("half-connect") + done.get("tls-only"))
                .isGreaterThanOrEqualTo(CYCLES / 4);
        assertThat(done.get("raced")).as("cycles that lost a client-id race").isLessThan(CYCLES / 10);

        final long start = System.nanoTime();
        final Map<String, Object> last = new LinkedHashMap<>();
        while (System.nanoTime() - start < DRAIN_LIMIT.toNanos()) {
            last.clear();
            TRACKED.forEach(name -> last.put(name, broker.gauge(name)));
            if (last.values().stream().allMatch(v -> v != null && ((Number) v).intValue() == 0)) {
                break;
            }
            Thread.sleep(20);
        }
        final long drainMillis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("churn of %d cycles %s drained in %d ms%n", CYCLES, done, drainMillis);
        assertThat(last)
                .as("per-connection records %d ms after %d cycles %s", drainMillis, CYCLES, done)
                .allSatisfy((name, value) ->
                        assertThat(((Number) value).intValue()).as(name).isZero());
    }

    /** One thread's share of the cycles; a quarter of them are CONNECTs abandoned before the CONNACK. */
    private static Map<String, Integer> churn(
            final int thread, final List<Credentials> devices, final List<SSLContext> tls) throws Exception {
        final Map<String, Integer> kinds = new LinkedHashMap<>();
        for (final String kind : List.of(
                "clean", "taken-over", "aborted-after-connect", "half-connect", "tls-only", "lifetime", "raced")) {
            kinds.put(kind, 0);
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < CYCLES / THREADS; i++) {
            final int d = random.nextInt(devices.size());
            final Credentials device = devices.get(d);
            final String identity =
                    device.certificate().getSubjectX500Principal().getName().substring(3);
            final String clientId = identity + "/c" + random.nextInt(4);
            final int pick = random.nextInt(100);
            try {
                kinds.merge(cycle(pick, device, tls.get(d), clientId, random), 1, Integer::sum);
            } catch (final RuntimeException raced) {
                // Threads share client ids: a concurrent CONNECT may take this one over before its CONNACK.
                kinds.merge("raced", 1, Integer::sum);
            }
        }
        return kinds;
    }

    private static String cycle(
            final int pick,
            final Credentials device,
            final SSLContext tls,
            final String clientId,
            final ThreadLocalRandom random)
            throws Exception {
        if (pick < 40) {
            final Mqtt5BlockingClient client = broker.mqtt5(device, clientId);
            client.connect();
            client.disconnect();
            return "clean";
        } else if (pick < 50) {
            // A second connection with the same client id takes the session over; the first is closed.
            final Mqtt5BlockingClient first = broker.mqtt5(device, clientId);
            first.connect();
            final Mqtt5BlockingClient second = broker.mqtt5(device, clientId);
            second.connect();
            second.disconnect();
            return "taken-over";
        } else if (pick < 70) {
            rawConnect(tls, clientId, random.nextInt(3), true);
            return "aborted-after-connect";
        } else if (pick < 80) {
            rawConnect(tls, clientId, 0, false);
            return "half-connect";
        } else if (pick < 95) {
            try (SSLSocket socket = socket(tls)) {
                socket.startHandshake();
            }
            return "tls-only";
        } else {
            // Left connected: the broker ends it when its two-second lifetime is over.
            broker.mqtt5(device, clientId + "-lives").connect();
            return "lifetime";
        }
    }

    /** A whole (or half) MQTT 5 CONNECT over mutual TLS, then the socket closed without waiting for the CONNACK. */
    private static void rawConnect(
            final SSLContext tls, final String clientId, final int lingerMillis, final boolean whole) throws Exception {
        final byte[] id = clientId.getBytes(StandardCharsets.UTF_8);
        final byte[] packet = new byte[2 + 11 + 2 + id.length];
        int p = 0;
        packet[p++] = 0x10;
        packet[p++] = (byte) (11 + 2 + id.length);
        for (final int b : new int[] {0, 4, 'M', 'Q', 'T', 'T', 5, 0x02, 0, 60, 0}) {
            packet[p++] = (byte) b;
        }
        packet[p++] = (byte) (id.length >> 8);
        packet[p++] = (byte) id.length;
        System.arraycopy(id, 0, packet, p, id.length);
        try (SSLSocket socket = socket(tls)) {
            final OutputStream out = socket.getOutputStream();
            out.write(packet, 0, whole ? packet.length : packet.length / 2);
            out.flush();
            if (lingerMillis > 0) {
                Thread.sleep(lingerMillis);
            }
        }
    }

    private static SSLSocket socket(final SSLContext tls) throws Exception {
        final Socket plain = new Socket("127.0.0.1", broker.tlsPort());
        plain.setSoLinger(true, 0);
        return (SSLSocket) tls.getSocketFactory().createSocket(plain, "localhost", broker.tlsPort(), true);
    }

    private static SSLContext sslContext(final Credentials credentials) throws Exception {
        final char[] password = "churn".toCharArray();
        final KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("client", credentials.key(), password, new Certificate[] {credentials.certificate()});
        final KeyManagerFactory keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keyManagers.init(keys, password);
        final KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", credentials.caCertificate());
        final TrustManagerFactory trustManagers =
                TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trustManagers.init(trust);
        final SSLContext context = SSLContext.getInstance("TLSv1.3");
        context.init(keyManagers.getKeyManagers(), trustManagers.getTrustManagers(), null);
        return context;
    }
}
