package dev.certguard.broker.crl;

import static org.assertj.core.api.Assertions.assertThat;

import com.hivemq.client.mqtt.mqtt5.exceptions.Mqtt5ConnAckException;
import com.hivemq.client.mqtt.mqtt5.message.connect.connack.Mqtt5ConnAckReasonCode;
import com.hivemq.client.mqtt.mqtt5.message.disconnect.Mqtt5DisconnectReasonCode;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.disconnect.Disconnects;
import dev.certguard.broker.testing.Credentials;
import dev.certguard.broker.testing.OpensslCa;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TestPki;
import dev.certguard.broker.testing.Tools;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Partitioned CRLs found the way AWS Private CA publishes them: no CRL source is configured; each
 * device certificate names its partition's URL and the broker fetches it when a device first needs
 * it. Four partitions of three devices, one revoked in each; partitions 1 and 3 made by
 * python3-cryptography (partition 1 also publishing a delta, named in its base's Freshest CRL, that
 * revokes a second device), partition 2 by {@code openssl ca}, partition 4 on a port nobody listens
 * on. Every device connects twice, all at once: the revoked ones get 0x87, partition 4's get 0x88,
 * the others get in, and the CRL server saw one download per partition and delta. A new revocation in partition 3
 * cuts its connected device; after a restart with the CRL server down, devices are decided at once on
 * the copies kept on disk.
 */
class PartitionedDiscoveryEndToEndTest {

    @TempDir
    Path dir;

    /** A device certificate and its name. */
    private record Device(String name, Credentials credentials) {}

    private HttpServer server;
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> downloads = new ConcurrentHashMap<>();

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void devices_are_decided_on_the_partition_their_certificate_names_fetched_once_at_connect() throws Exception {
        Tools.require("command -v openssl", "openssl");
        Tools.require("/usr/bin/python3 -c 'import cryptography'", "python3-cryptography");
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/crl/", exchange -> {
            final String path = exchange.getRequestURI().getPath();
            final byte[] body = served.get(path);
            try {
                Thread.sleep(300); // a CRL server an ocean away: CONNECTs pile up behind the first download
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
                exchange.close();
                return;
            }
            final String etag = "\"" + Integer.toHexString(java.util.Arrays.hashCode(body)) + "\"";
            exchange.getResponseHeaders().add("ETag", etag);
            if (etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                exchange.sendResponseHeaders(304, -1);
            } else {
                downloads.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        final String live = "http://127.0.0.1:" + server.getAddress().getPort() + "/crl/";
        final String dead = "http://127.0.0.1:" + TestBroker.freePort() + "/crl/";

        final TestPki pki = TestPki.create(dir.resolve("pki"));
        final Map<String, List<Device>> partitions = new LinkedHashMap<>();
        for (int n = 1; n <= 4; n++) {
            final URI url = URI.create((n == 4 ? dead : live) + n + ".crl");
            partitions.put(
                    url.toString(),
                    List.of(
                            new Device("p" + n + "-a", pki.clientAt("acme:p" + n + "-a", url)),
                            new Device("p" + n + "-b", pki.clientAt("acme:p" + n + "-b", url)),
                            new Device("p" + n + "-revoked", pki.clientAt("acme:p" + n + "-revoked", url))));
        }
        // Partition 1 publishes deltas (as AD CS and EJBCA do): its base names them, and the delta
        // revokes device b, so b's CONNECT waits for the base and then the delta.
        python(
                pki,
                List.of("--freshest", live + "1-delta.crl"),
                live + "1.crl",
                1,
                "/crl/1.crl",
                partitions.get(live + "1.crl").get(2).credentials());
        python(
                pki,
                List.of("--delta-base", "1"),
                live + "1.crl",
                2,
                "/crl/1-delta.crl",
                partitions.get(live + "1.crl").get(1).credentials());
        final OpensslCa openssl = OpensslCa.create(
                dir.resolve("openssl-ca"), pki.devPki().caKey(), pki.devPki().caCertificate());
        openssl.crlExtensions(
                "partition_2",
                "issuingDistributionPoint = critical, @idp_2\n[ idp_2 ]\nfullname = URI:" + live
                        + "2.crl\nonlyuser = TRUE");
        openssl.revoked(
                List.of(partitions.get(live + "2.crl").get(2).credentials().certificate()));
        served.put("/crl/2.crl", Files.readAllBytes(openssl.gencrl(List.of("-crlexts", "partition_2"))));
        python(
                pki,
                live + "3.crl",
                1,
                "/crl/3.crl",
                partitions.get(live + "3.crl").get(2).credentials());

        final TestBroker.Builder builder = TestBroker.builder(dir)
                .pki(pki)
                .extensionConfig(
                        "crl-extension",
                        """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <client-distribution-points>
                        <enabled>true</enabled>
                        <allowed-url-prefix>%s</allowed-url-prefix>
                        <allowed-url-prefix>%s</allowed-url-prefix>
                    </client-distribution-points>
                    <refresh-interval-seconds>2</refresh-interval-seconds>
                    <http-timeout-seconds>5</http-timeout-seconds>
                </crl-extension>"""
                                .formatted(pki.devPki().caCertificate(), live, dead));
        final BrokerHome home = builder.prepare();
        try (TestBroker broker = builder.start(home)) {
            final Map<String, Mqtt5ConnAckReasonCode> outcomes = connectAllTwiceAtOnce(broker, partitions);

            partitions.forEach((url, devices) -> {
                final boolean reachable = url.startsWith(live);
                assertThat(outcomes.get(devices.get(0).name() + "#1"))
                        .as(devices.get(0).name())
                        .isEqualTo(
                                reachable ? Mqtt5ConnAckReasonCode.SUCCESS : Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
                final boolean inDelta = url.equals(live + "1.crl");
                assertThat(outcomes.get(devices.get(1).name() + "#2"))
                        .as(devices.get(1).name())
                        .isEqualTo(
                                !reachable
                                        ? Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE
                                        : inDelta
                                                ? Mqtt5ConnAckReasonCode.NOT_AUTHORIZED
                                                : Mqtt5ConnAckReasonCode.SUCCESS);
                assertThat(outcomes.get(devices.get(2).name() + "#1"))
                        .as(devices.get(2).name())
                        .isEqualTo(
                                reachable
                                        ? Mqtt5ConnAckReasonCode.NOT_AUTHORIZED
                                        : Mqtt5ConnAckReasonCode.SERVER_UNAVAILABLE);
            });
            assertThat(downloads.keySet())
                    .containsExactlyInAnyOrder("/crl/1.crl", "/crl/1-delta.crl", "/crl/2.crl", "/crl/3.crl");
            downloads.forEach((path, count) -> assertThat(count).as(path).hasValue(1));
            assertThat(broker.counter("dev.certguard.crl-extension.discovered.waits"))
                    .isPositive();
            assertThat(((Number) broker.gauge("dev.certguard.crl-extension.discovered.sources")).longValue())
                    .isEqualTo(5);

            // Partition 3 now also revokes its connected device a: it is cut within a refresh.
            final Credentials p3a = partitions.get(live + "3.crl").get(0).credentials();
            final var connected = Disconnects.mqtt5(broker, p3a, "p3a-watched");
            python(
                    pki,
                    live + "3.crl",
                    2,
                    "/crl/3.crl",
                    partitions.get(live + "3.crl").get(2).credentials(),
                    p3a);
            assertThat(connected.awaitEnd(Duration.ofSeconds(20)).reasonCode())
                    .isEqualTo(Mqtt5DisconnectReasonCode.NOT_AUTHORIZED);
            assertThat(broker.refusal(p3a)).isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            awaitListed(home, 5);
        }

        server.stop(0);
        server = null;
        try (TestBroker restarted = builder.start(home)) {
            final Credentials p1a = partitions.get(live + "1.crl").get(0).credentials();
            restarted.mqtt5(p1a, "p1a-after-restart").connect();
            assertThat(restarted.refusal(partitions.get(live + "2.crl").get(2).credentials()))
                    .as("revoked in the copy kept of partition 2")
                    .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            assertThat(restarted.refusal(partitions.get(live + "3.crl").get(0).credentials()))
                    .as("the copy kept is partition 3's newest CRL")
                    .isEqualTo(Mqtt5ConnAckReasonCode.NOT_AUTHORIZED);
            restarted
                    .mqtt5(partitions.get(live + "3.crl").get(1).credentials(), "p3b-after-restart")
                    .connect();
        }
    }

    /** Each device connects twice, all 24 CONNECTs at once; outcome by identity#attempt. */
    private static Map<String, Mqtt5ConnAckReasonCode> connectAllTwiceAtOnce(
            final TestBroker broker, final Map<String, List<Device>> partitions) throws Exception {
        final ExecutorService pool = Executors.newFixedThreadPool(24);
        try {
            final Map<String, Future<Mqtt5ConnAckReasonCode>> pending = new LinkedHashMap<>();
            for (final List<Device> devices : partitions.values()) {
                for (final Device device : devices) {
                    for (int attempt = 1; attempt <= 2; attempt++) {
                        final String clientId = device.name() + "-" + attempt;
                        final Callable<Mqtt5ConnAckReasonCode> connect = () -> {
                            try {
                                final var client = broker.mqtt5(device.credentials(), clientId);
                                final var ack = client.connect();
                                client.disconnect();
                                return ack.getReasonCode();
                            } catch (final Mqtt5ConnAckException e) {
                                return e.getMqttMessage().getReasonCode();
                            }
                        };
                        pending.put(device.name() + "#" + attempt, pool.submit(connect));
                    }
                }
            }
            final Map<String, Mqtt5ConnAckReasonCode> outcomes = new LinkedHashMap<>();
            for (final Map.Entry<String, Future<Mqtt5ConnAckReasonCode>> one : pending.entrySet()) {
                outcomes.put(one.getKey(), one.getValue().get(60, java.util.concurrent.TimeUnit.SECONDS));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Waits until the broker has written the list of discovered URLs with {@code count} entries. */
    private static void awaitListed(final BrokerHome home, final int count) throws Exception {
        final Path list = home.data().resolve("certguard").resolve("crl-discovered.properties");
        final long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < until) {
            if (Files.exists(list)
                    && Files.readAllLines(list).stream()
                                    .filter(line -> line.startsWith("http"))
                                    .count()
                            == count) {
                return;
            }
            Thread.sleep(50);
        }
        throw new AssertionError(list + " does not list " + count + " URLs");
    }

    /** Makes a partition CRL with python3-cryptography and serves it at {@code path}. */
    private void python(
            final TestPki pki, final String url, final int number, final String path, final Credentials... revoked)
            throws Exception {
        python(pki, List.of(), url, number, path, revoked);
    }

    /** As above, with partition.py's options ({@code --freshest URL}, {@code --delta-base N}). */
    private void python(
            final TestPki pki,
            final List<String> options,
            final String url,
            final int number,
            final String path,
            final Credentials... revoked)
            throws Exception {
        final Path out = dir.resolve("partition-" + path.replace('/', '_') + "-" + number + ".crl");
        dev.certguard.broker.testing.PartitionScript.make(pki, options, url, number, out, revoked);
        served.put(path, Files.readAllBytes(out));
    }
}
