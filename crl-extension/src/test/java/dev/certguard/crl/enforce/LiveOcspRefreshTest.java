package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.connection.ClientIdOwnership;
import dev.certguard.connection.ConnectionCutter;
import dev.certguard.connection.ConnectionListener;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.config.OcspConfig;
import dev.certguard.crl.ocsp.OcspChecks;
import dev.certguard.crl.ocsp.OcspClient;
import dev.certguard.crl.ocsp.OcspStatuses;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.ManualScheduler;
import dev.certguard.testing.MutableClock;
import dev.certguard.testing.RecordingDisconnector;
import dev.certguard.testing.SdkFakes;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.ocsp.BasicOCSPRespBuilder;
import org.bouncycastle.cert.ocsp.CertificateStatus;
import org.bouncycastle.cert.ocsp.OCSPReq;
import org.bouncycastle.cert.ocsp.OCSPRespBuilder;
import org.bouncycastle.cert.ocsp.Req;
import org.bouncycastle.cert.ocsp.RespID;
import org.bouncycastle.cert.ocsp.RevokedStatus;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The OCSP answers of connected devices, refreshed as each falls due: a fleet whose answers are
 * fresh costs its responder nothing, each answer is asked for again once when it enters the
 * refresh window, a device the responder now says is revoked is cut, and devices that left are
 * forgotten. A real HTTP responder signs every answer with the CA's key.
 */
class LiveOcspRefreshTest {

    private static final TestCa CA = TestCa.ec("CN=ocsp refresh ca");
    private static final Duration CACHE = Duration.ofSeconds(300);
    private static final Duration REFRESH_BEFORE = Duration.ofSeconds(60);

    private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
    private final Set<BigInteger> revoked = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.atomic.AtomicBoolean down = new java.util.concurrent.atomic.AtomicBoolean();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final AtomicInteger requests = new AtomicInteger();
    /** Requests the responder is answering now, and the most at once. */
    private final AtomicInteger answering = new AtomicInteger();

    private final AtomicInteger mostAtOnce = new AtomicInteger();
    /** While set, the responder holds every request until it is counted down. */
    private volatile java.util.concurrent.CountDownLatch hold;

    private final HttpServer responder = responder();
    private final ClientIdOwnership owners = new ClientIdOwnership();
    private final RecordingDisconnector hivemq = new RecordingDisconnector();
    private final CrlMetrics metrics = new CrlMetrics(new MetricRegistry(), clock);
    private final OcspStatuses ocsp = new OcspStatuses(
            new OcspClient(
                    HttpClient.newHttpClient(),
                    URI.create("http://127.0.0.1:" + responder.getAddress().getPort() + "/"),
                    Duration.ofSeconds(5),
                    CACHE,
                    false,
                    clock),
            10_000,
            metrics,
            clock);
    private final CrlRuntime runtime = runtime();
    private final LiveRevocation live = new LiveRevocation(
            new ConnectionCutter("crl-extension", owners, hivemq, scheduler, Duration.ofSeconds(1), 2),
            () -> runtime,
            new RevocationState()::snapshot,
            metrics,
            clock,
            new dev.certguard.audit.Audit("crl-extension", clock));

    @AfterEach
    void stop() {
        responder.stop(0);
    }

    private HttpServer responder() {
        try {
            final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 500);
            server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool(runnable -> {
                final Thread thread = new Thread(runnable, "test-ocsp-responder");
                thread.setDaemon(true);
                return thread;
            }));
            server.createContext("/", exchange -> {
                mostAtOnce.accumulateAndGet(answering.incrementAndGet(), Math::max);
                try (exchange) {
                    requests.incrementAndGet();
                    final java.util.concurrent.CountDownLatch gate = hold;
                    if (gate != null) {
                        gate.await();
                    }
                    if (down.get()) {
                        exchange.sendResponseHeaders(503, -1);
                        return;
                    }
                    final OCSPReq request =
                            new OCSPReq(exchange.getRequestBody().readAllBytes());
                    final BasicOCSPRespBuilder builder = new BasicOCSPRespBuilder(new RespID(X500Name.getInstance(
                            CA.certificate.getSubjectX500Principal().getEncoded())));
                    final Instant now = clock.instant();
                    for (final Req one : request.getRequestList()) {
                        final BigInteger serial = one.getCertID().getSerialNumber();
                        builder.addResponse(
                                one.getCertID(),
                                revoked.contains(serial)
                                        ? new RevokedStatus(Date.from(now.minusSeconds(1)))
                                        : CertificateStatus.GOOD,
                                Date.from(now.minusSeconds(1)),
                                Date.from(now.plus(Duration.ofHours(1))));
                    }
                    final byte[] body = new OCSPRespBuilder()
                            .build(
                                    OCSPRespBuilder.SUCCESSFUL,
                                    builder.build(
                                            new JcaContentSignerBuilder("SHA256withECDSA").build(CA.keys.getPrivate()),
                                            null,
                                            Date.from(now)))
                            .getEncoded();
                    exchange.getResponseHeaders().add("Content-Type", "application/ocsp-response");
                    exchange.sendResponseHeaders(200, body.length);
                    exchange.getResponseBody().write(body);
                } catch (final Exception e) {
                    exchange.sendResponseHeaders(500, -1);
                } finally {
                    answering.decrementAndGet();
                }
            });
            server.start();
            return server;
        } catch (final Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private CrlRuntime runtime() {
        return CrlRuntimes.withOcsp(
                List.of(CA.certificate),
                CrlConfig.WhenUnavailable.ALLOW,
                new OcspConfig(
                        true,
                        null,
                        Duration.ofSeconds(5),
                        CACHE,
                        10_000,
                        REFRESH_BEFORE,
                        false,
                        CrlConfig.WhenUnavailable.REJECT),
                ocsp);
    }

    private record Connected(ConnectionListener<LiveRevocation.Live> listener, String clientId, Object connection) {
        void leave() {
            listener.onDisconnect(SdkFakes.disconnect(
                    clientId, (com.hivemq.extension.sdk.api.client.parameter.ConnectionInformation) connection));
        }
    }

    /** A device connected after its CONNECT check asked the responder, as the authenticator does. */
    private Connected connect(final int serial) {
        return connect(device(serial), "d" + serial);
    }

    private static X509Certificate device(final int serial) {
        return TestCa.issue(
                CA.certificate,
                CA.keys,
                "CN=admin:d" + serial,
                TestCa.ec("CN=k").keys.getPublic(),
                serial,
                false);
    }

    private Connected connect(final X509Certificate leaf, final String clientId) {
        for (final OcspChecks.Issued issued :
                OcspChecks.of(runtime.authorities().path(leaf))) {
            assertThat(ocsp.status(issued).join().revoked()).isFalse();
        }
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {leaf});
        final var listener = new ConnectionListener<>(owners, live);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect(clientId, null), connection));
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful(clientId, connection));
        return new Connected(listener, clientId, connection);
    }

    /** Waits up to 10 s for answers under way (the responder runs on its own threads). */
    private static void eventually(final Runnable assertion) {
        final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                assertion.run();
                return;
            } catch (final AssertionError e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (final InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    private static void sleep(final long millis) {
        try {
            Thread.sleep(millis);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void tick(final Duration after) {
        clock.advance(after);
        live.ocspSweep();
    }

    @Test
    void fresh_answers_cost_the_responder_nothing_and_each_is_asked_for_again_once_when_due() {
        for (int serial = 1; serial <= 100; serial++) {
            connect(serial);
        }
        assertThat(requests.get()).isEqualTo(100);

        for (int second = 0; second < 239; second++) {
            tick(Duration.ofSeconds(1));
        }
        assertThat(requests.get()).as("no answer is in its refresh window yet").isEqualTo(100);

        tick(Duration.ofSeconds(2)); // 241 s: every answer expires within 60 s
        // More are due than the sweep keeps in flight: the rest are asked for in the next seconds.
        for (int second = 0; second < 10 && requests.get() < 200; second++) {
            sleep(50);
            tick(Duration.ofSeconds(1));
        }
        eventually(() -> assertThat(requests.get()).isEqualTo(200));
        for (int second = 0; second < 30; second++) {
            tick(Duration.ofSeconds(1));
        }
        assertThat(requests.get())
                .as("the refreshed answers are good for another 300 s")
                .isEqualTo(200);
        assertThat(hivemq.disconnects()).isEmpty();
    }

    @Test
    void answers_that_fall_due_together_are_asked_for_a_bounded_number_at_a_time_until_all_are_fresh() {
        final int fleet = LiveRevocation.OCSP_REFRESHES_IN_FLIGHT + 36;
        for (int serial = 1; serial <= fleet; serial++) {
            connect(serial);
        }
        assertThat(requests.get()).isEqualTo(fleet);
        tick(Duration.ofSeconds(1));

        // Every answer was signed with the same nextUpdate: all enter the refresh window together,
        // and the responder is slow.
        hold = new java.util.concurrent.CountDownLatch(1);
        tick(Duration.ofSeconds(241));
        eventually(() -> assertThat(answering.get()).isEqualTo(LiveRevocation.OCSP_REFRESHES_IN_FLIGHT));
        tick(Duration.ofSeconds(1));
        tick(Duration.ofSeconds(1));
        assertThat(requests.get())
                .as("no more is asked while the responder has as many as the sweep allows")
                .isEqualTo(fleet + LiveRevocation.OCSP_REFRESHES_IN_FLIGHT);

        hold.countDown();
        hold = null;
        for (int second = 0; second < 60 && requests.get() < 2 * fleet; second++) {
            eventually(() -> assertThat(answering.get()).isZero());
            sleep(20); // the client side takes the answers in
            tick(Duration.ofSeconds(1));
        }
        eventually(() -> assertThat(requests.get()).isEqualTo(2 * fleet));
        assertThat(mostAtOnce.get()).isEqualTo(LiveRevocation.OCSP_REFRESHES_IN_FLIGHT);
        assertThat(hivemq.disconnects()).isEmpty();

        for (int second = 0; second < 30; second++) {
            tick(Duration.ofSeconds(1));
        }
        assertThat(requests.get())
                .as("every answer was refreshed once, none twice")
                .isEqualTo(2 * fleet);
    }

    @Test
    void held_back_refreshes_go_as_answers_make_room_not_a_second_later() throws Exception {
        final int fleet = 2 * LiveRevocation.OCSP_REFRESHES_IN_FLIGHT + 20;
        for (int serial = 1; serial <= fleet; serial++) {
            connect(serial);
        }
        // As the extension wires it: the sweep and its reruns on one thread of their own.
        final java.util.concurrent.ExecutorService sweeper = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            live.whenOcspRoom(() -> sweeper.execute(live::ocspSweep));
            clock.advance(Duration.ofSeconds(242)); // every answer in its refresh window
            sweeper.submit(live::ocspSweep).get();

            // No second passes on the clock: the rest are asked for as answers come back.
            eventually(() -> assertThat(requests.get()).isEqualTo(2 * fleet));
            assertThat(mostAtOnce.get()).isLessThanOrEqualTo(LiveRevocation.OCSP_REFRESHES_IN_FLIGHT);
            assertThat(live.ocspScheduled()).isEqualTo(fleet);
            assertThat(hivemq.disconnects()).isEmpty();
        } finally {
            sweeper.shutdownNow();
        }
    }

    @Test
    void a_device_the_responder_now_says_is_revoked_is_cut_at_its_refresh_and_no_other() {
        for (int serial = 1; serial <= 20; serial++) {
            connect(serial);
        }
        tick(Duration.ofSeconds(1));
        revoked.add(BigInteger.valueOf(7));
        tick(Duration.ofSeconds(100));
        assertThat(hivemq.disconnects()).as("its answer is still fresh").isEmpty();

        tick(Duration.ofSeconds(141));
        eventually(() -> assertThat(hivemq.disconnects())
                .extracting(RecordingDisconnector.Disconnect::clientId, RecordingDisconnector.Disconnect::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("d7", "certificate revoked (OCSP)")));
        tick(Duration.ofSeconds(1));
        assertThat(hivemq.disconnects()).hasSize(1);
    }

    @Test
    void devices_that_left_are_forgotten_by_the_refresh_schedule() {
        final List<Connected> listeners = new ArrayList<>();
        for (int serial = 1; serial <= 50; serial++) {
            listeners.add(connect(serial));
        }
        tick(Duration.ofSeconds(1));
        assertThat(live.ocspScheduled()).isEqualTo(50);
        for (int i = 0; i < 50; i++) {
            listeners.get(i).leave();
        }
        assertThat(live.ocspScheduled()).isZero();

        tick(Duration.ofSeconds(300));
        assertThat(requests.get())
                .as("nobody is asked about a device that left")
                .isEqualTo(50);
    }

    @Test
    void a_revoked_answer_fetched_for_another_connect_cuts_the_connected_devices_presenting_that_certificate_at_once() {
        ocsp.onRevoked(live::ocspRevoked);
        final X509Certificate cloned = device(31);
        down.set(true); // its CONNECT check got no answer (when-unavailable allow would admit it)
        final var connection = SdkFakes.connection("tls", new X509Certificate[] {cloned});
        final var listener = new ConnectionListener<>(owners, live);
        listener.onMqttConnectionStart(SdkFakes.connectionStart(SdkFakes.connect("first", null), connection));
        listener.onAuthenticationSuccessful(SdkFakes.authenticationSuccessful("first", connection));
        tick(Duration.ofSeconds(1));
        down.set(false);
        revoked.add(BigInteger.valueOf(31));

        // Another client presents the same certificate: its CONNECT check learns it is revoked.
        for (final OcspChecks.Issued issued :
                OcspChecks.of(runtime.authorities().path(cloned))) {
            assertThat(ocsp.status(issued).join().revoked()).isTrue();
        }
        // No sweep second passes: the answer itself reaches the connected client (on the thread that
        // got it, which may be the refresh still under way from the responder's outage).
        eventually(() -> assertThat(hivemq.disconnects())
                .extracting(RecordingDisconnector.Disconnect::clientId)
                .containsExactly("first"));
    }

    @Test
    void an_ocsp_cut_that_gave_up_is_made_again_while_the_device_stays_connected() {
        connect(7);
        tick(Duration.ofSeconds(1));
        revoked.add(BigInteger.valueOf(7));
        hivemq.found(false); // HiveMQ does not find the client (yet)
        tick(Duration.ofSeconds(241));
        eventually(() -> assertThat(hivemq.disconnects()).isNotEmpty());
        // The cut learns HiveMQ did not find the client on the thread that got the answer: wait for its retry.
        eventually(() -> assertThat(scheduler.pending()).isPositive());
        tick(Duration.ofSeconds(1)); // seen again while its cut is still being retried
        scheduler.runAll();
        scheduler.runAll();
        scheduler.runAll();
        final int attempts = hivemq.disconnects().size();

        hivemq.found(true);
        for (int second = 0; second < 10; second++) {
            tick(Duration.ofSeconds(1));
        }
        assertThat(hivemq.disconnects()).hasSizeGreaterThan(attempts);
        assertThat(hivemq.disconnects().get(hivemq.disconnects().size() - 1).reason())
                .isEqualTo("certificate revoked (OCSP)");
    }
}
