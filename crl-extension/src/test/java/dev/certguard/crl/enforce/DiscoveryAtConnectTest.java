package dev.certguard.crl.enforce;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.extension.sdk.api.async.Async;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.crl.config.ClientDistributionPoints;
import dev.certguard.crl.config.CrlConfig;
import dev.certguard.crl.config.UrlPrefix;
import dev.certguard.crl.state.CrlCopies;
import dev.certguard.crl.state.CrlLoader;
import dev.certguard.crl.state.CrlMetrics;
import dev.certguard.crl.state.DiscoveredCrls;
import dev.certguard.crl.state.RevocationState;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.SdkFakes;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.http.HttpClient;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A CONNECT whose certificate names a distribution point not loaded yet is suspended (never a waiting
 * thread) until that CRL is in use, then decided on it; when the download does not finish within
 * http-timeout-seconds, when-unavailable decides, allow included.
 */
class DiscoveryAtConnectTest {

    private static final TestCa CA = TestCa.ec("CN=partitioned CA");

    private final MetricRegistry registry = new MetricRegistry();
    private final AtomicInteger gets = new AtomicInteger();
    private final CountDownLatch stall = new CountDownLatch(1);
    private volatile boolean stalled;
    private HttpServer server;
    private String partition;
    private RevocationState state;
    private DiscoveredCrls discovered;
    private ClientDistributionPoints points;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        final String base = "http://127.0.0.1:" + server.getAddress().getPort() + "/crl/";
        partition = base + "part-1.crl";
        final TestCa.Crl crl = CA.crl();
        crl.idp = TestCa.idp(partition, true, false, 0);
        crl.revoked = new BigInteger[] {BigInteger.valueOf(11)};
        final byte[] der = crl.der();
        server.createContext("/crl/part-1.crl", exchange -> {
            gets.incrementAndGet();
            if (stalled) {
                try {
                    stall.await(10, TimeUnit.SECONDS);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            exchange.sendResponseHeaders(200, der.length);
            exchange.getResponseBody().write(der);
            exchange.close();
        });
        server.start();
        state = new RevocationState();
        points = new ClientDistributionPoints(true, List.of(UrlPrefix.parse(base)), 100, Duration.ofDays(7));
        final CrlLoader loader = new CrlLoader(
                new CrlVerifier(List.of(CA.certificate), Duration.ZERO),
                state,
                Clock.systemUTC(),
                snapshot -> {},
                CrlCopies.none(),
                1 << 20);
        discovered = new DiscoveredCrls(
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .build(),
                () -> loader,
                state,
                new DiscoveredCrls.Settings(points, Duration.ofSeconds(1), 1 << 20, Duration.ofMinutes(5), Set.of()),
                new CrlMetrics(registry, Clock.systemUTC()),
                Clock.systemUTC());
    }

    @AfterEach
    void stop() {
        stall.countDown();
        server.stop(0);
    }

    private X509Certificate device(final long serial) {
        return TestCa.issue(
                CA.certificate,
                CA.keys,
                "CN=acme:d" + serial,
                TestCa.ec("CN=k").keys.getPublic(),
                serial,
                false,
                new DistributionPoint[] {TestCa.point(partition, 0)});
    }

    /** The calls the CONNECT made on its output, once it is decided (resumed, or never suspended). */
    private List<String> connect(final CrlConfig.WhenUnavailable whenUnavailable, final X509Certificate leaf) {
        final CrlRuntime runtime =
                CrlRuntimes.withDiscovery(List.of(CA.certificate), whenUnavailable, points, Duration.ofSeconds(1));
        final RevocationAuthenticator authenticator = new RevocationAuthenticator(
                state,
                new CrlMetrics(registry, Clock.systemUTC()),
                () -> runtime,
                Clock.systemUTC(),
                new dev.certguard.audit.Audit("crl-extension", Clock.systemUTC()),
                discovered,
                Runnable::run);
        final List<String> calls = Collections.synchronizedList(new ArrayList<>());
        final Async<?> async = SdkFakes.recorder(Async.class, Map.of(), calls);
        final SimpleAuthInput input = SdkFakes.fake(
                SimpleAuthInput.class,
                Map.of(
                        "getConnectPacket", SdkFakes.connect("c1", null),
                        "getConnectionInformation", SdkFakes.connection("tls", new X509Certificate[] {leaf})));
        authenticator.onConnect(input, SdkFakes.recorder(SimpleAuthOutput.class, Map.of("async", async), calls));
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (calls.get(0).startsWith("async") && !calls.contains("resume") && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        return new ArrayList<>(calls);
    }

    @Test
    void a_connect_naming_an_unloaded_partition_waits_for_it_and_is_decided_on_it() {
        final List<String> good = connect(CrlConfig.WhenUnavailable.REJECT, device(10));
        final List<String> revoked = connect(CrlConfig.WhenUnavailable.REJECT, device(11));

        assertThat(good).hasSize(3);
        assertThat(good.get(0)).startsWith("async(PT3S, FAILURE, SERVER_UNAVAILABLE");
        assertThat(good.subList(1, 3)).containsExactly("nextExtensionOrDefault", "resume");
        assertThat(revoked)
                .as("loaded by then: decided at once")
                .containsExactly("failAuthentication(NOT_AUTHORIZED, certificate revoked)");
        assertThat(gets).hasValue(1);
        assertThat(registry.counter("dev.certguard.crl-extension.discovered.waits")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void a_download_slower_than_the_http_timeout_leaves_the_decision_to_when_unavailable() {
        stalled = true;

        final List<String> rejected = connect(CrlConfig.WhenUnavailable.REJECT, device(10));
        final List<String> allowed = connect(CrlConfig.WhenUnavailable.ALLOW, device(12));

        assertThat(rejected.subList(1, rejected.size()))
                .containsExactly(
                        "failAuthentication(SERVER_UNAVAILABLE, certificate revocation status unavailable)", "resume");
        // Decided at once if the download has given up by now (it is not tried again before the retry
        // delay), else after waiting for that same download; admitted either way, with no second GET.
        assertThat(allowed).contains("nextExtensionOrDefault").noneMatch(call -> call.startsWith("fail"));
        if (allowed.get(0).startsWith("async")) {
            assertThat(allowed).endsWith("resume");
        }
        assertThat(gets).hasValue(1);
    }

    @Test
    void under_allow_a_download_slower_than_the_http_timeout_admits_the_connect_on_our_own_timer() {
        stalled = true;

        final List<String> allowed = connect(CrlConfig.WhenUnavailable.ALLOW, device(10));

        assertThat(allowed).hasSize(3);
        assertThat(allowed.get(0)).startsWith("async(");
        assertThat(allowed.subList(1, 3)).containsExactly("nextExtensionOrDefault", "resume");
        assertThat(registry.counter("dev.certguard.crl-extension.connect.allowed.unavailable")
                        .getCount())
                .isEqualTo(1);
    }

    @Test
    void a_connect_covered_by_a_configured_base_waits_for_the_delta_it_names_and_is_decided_on_it() throws Exception {
        final String deltaUrl = partition.replace("part-1.crl", "part-1-delta.crl");
        final TestCa.Crl base = CA.crl();
        base.idp = TestCa.idp(partition, true, false, 0);
        base.number = BigInteger.valueOf(10);
        base.freshest = deltaUrl;
        state.install(new CrlVerifier(List.of(CA.certificate), Duration.ZERO)
                .verify(dev.certguard.crl.verify.ParsedCrl.parse(base.der()), "configured", java.time.Instant.now()));
        final TestCa.Crl delta = CA.crl();
        delta.idp = TestCa.idp(partition, true, false, 0);
        delta.number = BigInteger.valueOf(11);
        delta.deltaBase = BigInteger.valueOf(10);
        delta.revoked = new BigInteger[] {BigInteger.valueOf(5)};
        final byte[] der = delta.der();
        server.createContext("/crl/part-1-delta.crl", exchange -> {
            exchange.sendResponseHeaders(200, der.length);
            exchange.getResponseBody().write(der);
            exchange.close();
        });

        final List<String> revoked = connect(CrlConfig.WhenUnavailable.REJECT, device(5));
        final List<String> good = connect(CrlConfig.WhenUnavailable.REJECT, device(6));

        assertThat(revoked.get(0)).startsWith("async(");
        assertThat(revoked.subList(1, revoked.size()))
                .containsExactly("failAuthentication(NOT_AUTHORIZED, certificate revoked)", "resume");
        assertThat(good).as("the delta is in use: decided at once").containsExactly("nextExtensionOrDefault");
        assertThat(gets).as("the base was configured, not fetched").hasValue(0);
    }
}
