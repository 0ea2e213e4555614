package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.crl.config.ClientDistributionPoints;
import dev.certguard.crl.config.UrlPrefix;
import dev.certguard.crl.path.Authorities;
import dev.certguard.crl.path.CertificatePath;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.TestCa;
import dev.certguard.testing.MutableClock;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.bouncycastle.asn1.x509.DistributionPoint;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Distribution points discovered in client certificates: fetched once however many CONNECTs need them,
 * only under an allowed prefix, never through a redirect, bounded in number, dropped when idle.
 */
class DiscoveredCrlsTest {

    private static final TestCa CA = TestCa.ec("CN=partitioned CA");
    private static final KeyPair DEVICE_KEYS = TestCa.ec("CN=unused").keys;
    private static final Authorities AUTHORITIES = new Authorities(List.of(CA.certificate), 100);

    private final MetricRegistry registry = new MetricRegistry();
    private final MutableClock clock = new MutableClock(Instant.now());
    private final Map<String, byte[]> served = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> gets = new ConcurrentHashMap<>();
    private final CountDownLatch release = new CountDownLatch(1);
    private volatile boolean holdAnswers;
    private HttpServer server;
    private String base;
    private RevocationState state;
    private CrlLoader loader;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newCachedThreadPool());
        server.createContext("/", exchange -> {
            final String path = exchange.getRequestURI().getPath();
            gets.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            try {
                if (holdAnswers) {
                    release.await(10, TimeUnit.SECONDS);
                }
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (path.startsWith("/redirect/")) {
                exchange.getResponseHeaders().add("Location", base + "crl/part-1.crl");
                exchange.sendResponseHeaders(302, -1);
                exchange.close();
                return;
            }
            final byte[] body = served.get(path);
            if (body == null) {
                exchange.sendResponseHeaders(404, -1);
            } else {
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort() + "/";
        state = new RevocationState();
        loader = new CrlLoader(
                new CrlVerifier(List.of(CA.certificate), Duration.ZERO),
                state,
                clock,
                snapshot -> {},
                CrlCopies.none(),
                1_000_000);
    }

    @AfterEach
    void stop() {
        release.countDown();
        server.stop(0);
    }

    private DiscoveredCrls discovered(final int maxSources) {
        final DiscoveredCrls discovered = new DiscoveredCrls(
                HttpClient.newBuilder()
                        .followRedirects(HttpClient.Redirect.NEVER)
                        .version(HttpClient.Version.HTTP_1_1)
                        .build(),
                () -> loader,
                state,
                new DiscoveredCrls.Settings(
                        new ClientDistributionPoints(
                                true, List.of(UrlPrefix.parse(base + "crl/")), maxSources, Duration.ofHours(1)),
                        Duration.ofSeconds(5),
                        1_000_000,
                        Duration.ofMinutes(5),
                        Set.of()),
                new CrlMetrics(registry, clock),
                clock);
        loader.whenInstalled(discovered::prefetchDeltas);
        return discovered;
    }

    private String url(final String path) {
        return base + path;
    }

    private void serve(final String path, final String partitionUrl, final String freshest, final long... revoked) {
        final TestCa.Crl crl = CA.crl();
        crl.idp = TestCa.idp(partitionUrl, true, false, 0);
        crl.freshest = freshest;
        crl.revoked = serials(revoked);
        crl.nextUpdate = Instant.now().plus(Duration.ofDays(1));
        served.put("/" + path, crl.der());
    }

    private static BigInteger[] serials(final long... revoked) {
        final BigInteger[] out = new BigInteger[revoked.length];
        for (int i = 0; i < revoked.length; i++) {
            out[i] = BigInteger.valueOf(revoked[i]);
        }
        return out;
    }

    private static X509Certificate device(final long serial, final String uri) {
        return TestCa.issue(
                CA.certificate,
                CA.keys,
                "CN=acme:device-" + serial,
                DEVICE_KEYS.getPublic(),
                serial,
                false,
                new DistributionPoint[] {TestCa.point(uri, 0)});
    }

    private RevocationSnapshot.Status status(final X509Certificate device) {
        return state.snapshot().check(AUTHORITIES.path(device), clock.instant(), Duration.ZERO);
    }

    private long counter(final String name) {
        return registry.counter("dev.certguard.crl-extension." + name).getCount();
    }

    private long gauge(final String name) {
        return ((Number) registry.getGauges()
                        .get("dev.certguard.crl-extension." + name)
                        .getValue())
                .longValue();
    }

    private static List<URI> points(final X509Certificate device) {
        final CertificatePath path = AUTHORITIES.path(device);
        return path.distributionPoints();
    }

    @Test
    void a_hundred_connects_naming_one_new_url_wait_for_one_download() throws Exception {
        final String part1 = url("crl/part-1.crl");
        serve("crl/part-1.crl", part1, null, 7);
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate good = device(1, part1);
        final X509Certificate revoked = device(7, part1);
        assertThat(status(good).unavailableIssuer()).isNotNull();

        holdAnswers = true;
        final List<CompletableFuture<Void>> waits = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            waits.add(discovered.ensure(points(i % 2 == 0 ? good : revoked)));
        }
        release.countDown();
        CompletableFuture.allOf(waits.toArray(new CompletableFuture[0])).get(10, TimeUnit.SECONDS);

        assertThat(waits).doesNotContainNull();
        assertThat(gets.get("/crl/part-1.crl")).hasValue(1);
        assertThat(status(good).good()).isTrue();
        assertThat(status(revoked).revoked()).isEqualTo(revoked);
        assertThat(discovered.ensure(points(good)))
                .as("loaded: nothing to wait for")
                .isNull();
        assertThat(counter("discovered.fetches")).isEqualTo(1);
        assertThat(gauge("discovered.sources")).isEqualTo(1);
        assertThat(gauge("discovered.entries")).isEqualTo(1);
    }

    @Test
    void a_url_under_no_allowed_prefix_is_never_fetched() throws Exception {
        final String outside = url("other/part-1.crl");
        serve("other/part-1.crl", outside, null);
        final DiscoveredCrls discovered = discovered(10);

        assertThat(discovered.ensure(points(device(1, outside)))).isNull();
        assertThat(discovered.ensure(List.of(URI.create("http://127.0.0.1.evil.net/crl/part-1.crl"))))
                .isNull();

        assertThat(gets).isEmpty();
        assertThat(discovered.size()).isZero();
        assertThat(status(device(1, outside)).unavailableIssuer()).isNotNull();
    }

    @Test
    void a_redirect_is_not_followed_and_counts_as_a_failure() throws Exception {
        final String part1 = url("crl/part-1.crl");
        serve("crl/part-1.crl", part1, null);
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate device = device(1, url("crl/redirect/part-1.crl"));
        server.createContext("/crl/redirect/", exchange -> {
            gets.computeIfAbsent("/crl/redirect/", p -> new AtomicInteger()).incrementAndGet();
            exchange.getResponseHeaders().add("Location", part1);
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });

        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);

        assertThat(gets.get("/crl/redirect/")).hasValue(1);
        assertThat(gets).doesNotContainKey("/crl/part-1.crl");
        assertThat(counter("discovered.failures")).isEqualTo(1);
        assertThat(status(device).unavailableIssuer()).isNotNull();
    }

    @Test
    void a_failed_url_is_fetched_again_by_a_connect_only_after_the_retry_delay() throws Exception {
        final String part1 = url("crl/part-1.crl");
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate device = device(1, part1);

        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);
        assertThat(discovered.ensure(points(device))).as("failed just now").isNull();
        serve("crl/part-1.crl", part1, null);
        clock.advance(DiscoveredCrls.RETRY_AT_MOST);
        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);

        assertThat(gets.get("/crl/part-1.crl")).hasValue(2);
        assertThat(status(device).good()).isTrue();
    }

    @Test
    void at_max_sources_an_idle_url_makes_room_and_a_busy_one_does_not() throws Exception {
        final String part1 = url("crl/part-1.crl");
        final String part2 = url("crl/part-2.crl");
        serve("crl/part-1.crl", part1, null);
        serve("crl/part-2.crl", part2, null);
        final DiscoveredCrls discovered = discovered(1);
        final X509Certificate one = device(1, part1);
        final X509Certificate two = device(2, part2);
        discovered.ensure(points(one)).get(10, TimeUnit.SECONDS);

        assertThat(discovered.ensure(points(two)))
                .as("part 1 was named just now")
                .isNull();
        assertThat(status(two).unavailableIssuer()).isNotNull();

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        discovered.ensure(points(two)).get(10, TimeUnit.SECONDS);

        assertThat(discovered.holds(part2)).isTrue();
        assertThat(discovered.holds(part1)).isFalse();
        assertThat(status(two).good()).isTrue();
        assertThat(status(one).unavailableIssuer())
                .as("its partition was dropped")
                .isNotNull();
    }

    @Test
    void a_refresh_keeps_the_urls_connected_devices_name_and_drops_the_others_once_idle() throws Exception {
        final String part1 = url("crl/part-1.crl");
        final String part2 = url("crl/part-2.crl");
        serve("crl/part-1.crl", part1, null);
        serve("crl/part-2.crl", part2, null);
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate connected = device(1, part1);
        final X509Certificate gone = device(2, part2);
        discovered.ensure(points(connected)).get(10, TimeUnit.SECONDS);
        discovered.ensure(points(gone)).get(10, TimeUnit.SECONDS);
        final Consumer<Consumer<Collection<URI>>> fleet = visit -> visit.accept(points(connected));

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        discovered.refresh(fleet).get(10, TimeUnit.SECONDS);

        assertThat(discovered.holds(part1)).isTrue();
        assertThat(discovered.holds(part2)).isFalse();
        assertThat(gets.get("/crl/part-1.crl")).as("refreshed").hasValue(2);
        assertThat(status(connected).good()).isTrue();
        assertThat(gauge("discovered.sources")).isEqualTo(1);
    }

    @Test
    void a_url_serving_another_partition_leaves_its_devices_uncovered_and_counts_a_failure() throws Exception {
        final String part1 = url("crl/part-1.crl");
        final String part2 = url("crl/part-2.crl");
        serve("crl/part-1.crl", part2, null);
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate device = device(1, part1);

        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);

        assertThat(counter("discovered.failures")).isEqualTo(1);
        assertThat(status(device).unavailableIssuer()).isNotNull();
    }

    @Test
    void a_connect_that_waits_for_a_base_naming_its_deltas_waits_for_the_delta_too() throws Exception {
        final String part1 = url("crl/part-1.crl");
        final String delta = url("crl/part-1-delta.crl");
        final TestCa.Crl baseCrl = CA.crl();
        baseCrl.idp = TestCa.idp(part1, true, false, 0);
        baseCrl.freshest = delta;
        baseCrl.number = BigInteger.valueOf(10);
        served.put("/crl/part-1.crl", baseCrl.der());
        final TestCa.Crl deltaCrl = CA.crl();
        deltaCrl.idp = TestCa.idp(part1, true, false, 0);
        deltaCrl.number = BigInteger.valueOf(11);
        deltaCrl.deltaBase = BigInteger.valueOf(10);
        deltaCrl.revoked = serials(5);
        served.put("/crl/part-1-delta.crl", deltaCrl.der());
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate device = device(5, part1);

        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);

        assertThat(gets.get("/crl/part-1-delta.crl")).hasValue(1);
        assertThat(status(device).revoked()).isEqualTo(device);
    }

    @Test
    void turning_discovery_off_drops_every_url_and_its_crl() throws Exception {
        final String part1 = url("crl/part-1.crl");
        serve("crl/part-1.crl", part1, null);
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate device = device(1, part1);
        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);

        discovered.configure(new DiscoveredCrls.Settings(
                ClientDistributionPoints.DISABLED, Duration.ofSeconds(5), 1_000_000, Duration.ofMinutes(5), Set.of()));

        assertThat(discovered.size()).isZero();
        assertThat(discovered.ensure(points(device))).isNull();
        assertThat(status(device).unavailableIssuer()).isNotNull();
        assertThat(gauge("discovered.entries")).isZero();
    }

    @Test
    void after_a_restart_with_the_server_down_the_urls_and_their_copies_are_in_use_at_once(
            @org.junit.jupiter.api.io.TempDir final java.nio.file.Path data) throws Exception {
        final String part1 = url("crl/part-1.crl");
        final String part2 = url("crl/part-2.crl");
        serve("crl/part-1.crl", part1, null, 7);
        serve("crl/part-2.crl", part2, null);
        final CrlHighWaterMarks marks = CrlHighWaterMarks.inMemory();
        final CrlCopies copies = CrlCopies.in(data.resolve("copies"), Runnable::run);
        final DiscoveredUrlsFile list = DiscoveredUrlsFile.at(data.resolve("crl-discovered.properties"), Runnable::run);
        state = new RevocationState(marks);
        loader = new CrlLoader(
                new CrlVerifier(List.of(CA.certificate), Duration.ZERO), state, clock, s -> {}, copies, 1_000_000);
        final DiscoveredCrls before = discovered(10);
        before.restore(list);
        before.ensure(points(device(1, part1))).get(10, TimeUnit.SECONDS);
        before.ensure(points(device(2, part2))).get(10, TimeUnit.SECONDS);
        server.stop(0);
        java.nio.file.Files.write(copies.fileOf(part2), new byte[] {0x30, 0x03, 0x02, 0x01, 0x01});

        state = new RevocationState(marks);
        loader = new CrlLoader(
                new CrlVerifier(List.of(CA.certificate), Duration.ZERO), state, clock, s -> {}, copies, 1_000_000);
        final DiscoveredCrls after = discovered(10);
        final int restored = after.restore(list);

        assertThat(restored).isEqualTo(1);
        assertThat(after.holds(part1)).isTrue();
        assertThat(after.holds(part2))
                .as("registered, its tampered copy unused")
                .isTrue();
        assertThat(status(device(1, part1)).good()).isTrue();
        assertThat(status(device(7, part1)).revoked()).isNotNull();
        assertThat(status(device(2, part2)).unavailableIssuer()).isNotNull();
        assertThat(gets.get("/crl/part-1.crl")).as("no download needed").hasValue(1);
    }

    @Test
    void a_crl_naming_its_own_url_as_its_delta_neither_hangs_the_connect_nor_stops_its_refresh() throws Exception {
        final String part1 = url("crl/part-1.crl");
        serve("crl/part-1.crl", part1, part1);
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate device = device(1, part1);

        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);
        discovered.refresh(visit -> visit.accept(points(device))).get(10, TimeUnit.SECONDS);

        assertThat(status(device).good()).isTrue();
        assertThat(gets.get("/crl/part-1.crl").get())
                .as("refreshed, not stuck loading")
                .isGreaterThanOrEqualTo(2);
    }

    @Test
    void a_delta_url_stays_while_its_base_is_in_use_and_dropping_it_never_lifts_its_revocations() throws Exception {
        final String part1 = url("crl/part-1.crl");
        final String delta = url("crl/part-1-delta.crl");
        final TestCa.Crl baseCrl = CA.crl();
        baseCrl.idp = TestCa.idp(part1, true, false, 0);
        baseCrl.freshest = delta;
        baseCrl.number = BigInteger.valueOf(10);
        baseCrl.nextUpdate = Instant.now().plus(Duration.ofDays(1));
        served.put("/crl/part-1.crl", baseCrl.der());
        final TestCa.Crl deltaCrl = CA.crl();
        deltaCrl.idp = TestCa.idp(part1, true, false, 0);
        deltaCrl.number = BigInteger.valueOf(11);
        deltaCrl.deltaBase = BigInteger.valueOf(10);
        deltaCrl.revoked = serials(5);
        deltaCrl.nextUpdate = Instant.now().plus(Duration.ofDays(1));
        served.put("/crl/part-1-delta.crl", deltaCrl.der());
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate revoked = device(5, part1);
        discovered.ensure(points(revoked)).get(10, TimeUnit.SECONDS);

        clock.advance(Duration.ofHours(1).plusSeconds(1));
        discovered.refresh(visit -> visit.accept(points(device(1, part1)))).get(10, TimeUnit.SECONDS);
        assertThat(discovered.holds(delta)).as("named by the base in use").isTrue();

        discovered.configure(new DiscoveredCrls.Settings(
                ClientDistributionPoints.DISABLED, Duration.ofSeconds(5), 1_000_000, Duration.ofMinutes(5), Set.of()));
        assertThat(status(revoked).good())
                .as("never admitted once the delta is dropped")
                .isFalse();
    }

    @Test
    void dropping_a_url_keeps_the_crl_a_configured_source_also_delivers() throws Exception {
        final String part1 = url("crl/part-1.crl");
        serve("crl/part-1.crl", part1, null, 7);
        final java.nio.file.Path file = java.nio.file.Files.createTempFile("partition-1", ".crl");
        java.nio.file.Files.write(file, served.get("/crl/part-1.crl"));
        final dev.certguard.crl.source.FileSource configured = new dev.certguard.crl.source.FileSource(file, 1_000_000);
        final CrlLoader.Outcome ignore = new CrlLoader.Outcome() {
            @Override
            public void success(
                    final dev.certguard.crl.source.CrlSource source, final dev.certguard.crl.verify.VerifiedCrl crl) {}

            @Override
            public void failure(final dev.certguard.crl.source.CrlSource source) {}
        };
        loader.handle(configured, configured.fetch().get(), ignore);
        final DiscoveredCrls discovered = discovered(10);
        final X509Certificate device = device(1, part1);
        discovered.ensure(points(device)).get(10, TimeUnit.SECONDS);
        assertThat(gets.get("/crl/part-1.crl"))
                .as("the same CRL, now also from its URL")
                .hasValue(1);

        discovered.configure(new DiscoveredCrls.Settings(
                ClientDistributionPoints.DISABLED, Duration.ofSeconds(5), 1_000_000, Duration.ofMinutes(5), Set.of()));

        assertThat(status(device).good()).isTrue();
        assertThat(status(device(7, part1)).revoked()).isNotNull();
    }

    @Test
    void at_most_64_downloads_run_at_once_and_the_others_wait_their_turn() throws Exception {
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger most = new AtomicInteger();
        server.createContext("/crl/many/", exchange -> {
            most.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(50);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            inFlight.decrementAndGet();
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        final DiscoveredCrls discovered = discovered(1000);
        final List<URI> urls = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            urls.add(URI.create(url("crl/many/" + i + ".crl")));
        }

        discovered.ensure(urls).get(30, TimeUnit.SECONDS);

        assertThat(counter("discovered.fetches")).isEqualTo(200);
        assertThat(most.get()).isBetween(2, DiscoveredCrls.FETCHES_IN_FLIGHT);
    }
}
