package dev.certguard.crl.state;

import static org.assertj.core.api.Assertions.assertThat;

import com.codahale.metrics.MetricRegistry;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.crl.path.Authority;
import dev.certguard.crl.source.FileSource;
import dev.certguard.crl.source.HttpSource;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.TestCa;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrlRefresherTest {

    private static final TestCa CA = TestCa.ec("CN=IOTmidCA");
    private static final String ISSUER =
            Authority.key(CA.certificate.getSubjectX500Principal(), CA.certificate.getPublicKey());

    /** What the in-test server answers next. */
    private final AtomicReference<Response> response = new AtomicReference<>();

    private final AtomicInteger fullDownloads = new AtomicInteger();
    private final MetricRegistry registry = new MetricRegistry();
    private final RevocationState state = new RevocationState();
    private HttpServer server;
    private CrlRefresher refresher;
    private int changes;

    private record Response(int status, byte[] body, long stallMillis, boolean stallInBody) {
        Response(final int status, final byte[] body, final long stallMillis) {
            this(status, body, stallMillis, false);
        }
    }

    @BeforeEach
    void startServer() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ca.crl", exchange -> {
            final Response next = response.get();
            if (next.stallInBody()) {
                exchange.sendResponseHeaders(200, next.body().length);
                exchange.getResponseBody().write(next.body(), 0, next.body().length / 2);
                exchange.getResponseBody().flush();
                try {
                    Thread.sleep(next.stallMillis());
                    exchange.getResponseBody()
                            .write(next.body(), next.body().length / 2, next.body().length - next.body().length / 2);
                } catch (final InterruptedException | java.io.IOException e) {
                    // the client gave up
                }
                exchange.close();
                return;
            }
            try {
                Thread.sleep(next.stallMillis());
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            final String etag = "\"" + java.util.Arrays.hashCode(next.body()) + "\"";
            if (next.status() == 200 && etag.equals(exchange.getRequestHeaders().getFirst("If-None-Match"))) {
                exchange.sendResponseHeaders(304, -1);
            } else {
                if (next.status() == 200) {
                    fullDownloads.incrementAndGet();
                    exchange.getResponseHeaders().add("ETag", etag);
                }
                exchange.sendResponseHeaders(next.status(), next.body().length == 0 ? -1 : next.body().length);
                exchange.getResponseBody().write(next.body());
            }
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        final URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ca.crl");
        refresher = new CrlRefresher(
                List.of(new HttpSource(uri, HttpClient.newHttpClient(), Duration.ofMillis(800), 64 * 1024)),
                new CrlVerifier(List.of(CA.certificate), Duration.ZERO),
                state,
                new CrlMetrics(registry, Clock.systemUTC()),
                Clock.systemUTC(),
                snapshot -> changes++,
                CrlCopies.none(),
                0);
    }

    @AfterEach
    void stopServer() {
        server.stop(0);
    }

    private void serve(final int status, final byte[] body) {
        response.set(new Response(status, body, 0));
    }

    private void refresh() throws Exception {
        refresher.refresh().get(10, TimeUnit.SECONDS);
    }

    private long failures() {
        return registry.getCounters().entrySet().stream()
                .filter(e -> e.getKey().endsWith(".failures"))
                .mapToLong(e -> e.getValue().getCount())
                .sum();
    }

    private static byte[] crl(final long number, final long... revoked) {
        final TestCa.Crl crl = CA.crl();
        crl.number = BigInteger.valueOf(number);
        crl.revoked =
                java.util.Arrays.stream(revoked).mapToObj(BigInteger::valueOf).toArray(BigInteger[]::new);
        return crl.der();
    }

    @Test
    void http_failures_keep_the_last_good_crl_and_recovery_installs_the_new_one() throws Exception {
        serve(404, "missing".getBytes());
        refresh();
        assertThat(state.snapshot().crl(ISSUER)).as("nothing loaded after 404").isNull();
        assertThat(failures()).isEqualTo(1);

        serve(200, crl(1, 5));
        refresh();
        assertThat(state.snapshot()
                        .crl(ISSUER)
                        .revoked()
                        .contains(BigInteger.valueOf(5).toByteArray()))
                .isTrue();

        serve(500, "oops".getBytes());
        refresh();
        serve(200, "<html>garbage</html>".getBytes());
        refresh();
        serve(200, java.util.Arrays.copyOf(crl(2, 5, 6), 40));
        refresh();
        response.set(new Response(200, crl(2, 5, 6), 3000));
        final long started = System.nanoTime();
        refresh();
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("a stalled server is given up on at the timeout")
                .isLessThan(Duration.ofSeconds(2));
        response.set(new Response(200, crl(2, 5, 6), 3000, true));
        final long bodyStarted = System.nanoTime();
        refresh();
        assertThat(Duration.ofNanos(System.nanoTime() - bodyStarted))
                .as("a body that stalls half-way is aborted at the timeout")
                .isLessThan(Duration.ofSeconds(2));
        serve(200, new byte[128 * 1024]);
        refresh();
        assertThat(failures())
                .as("404, 500, garbage, truncated, stalled, stalled body, oversized")
                .isEqualTo(7);
        assertThat(state.snapshot().crl(ISSUER).number())
                .as("last good CRL still in use")
                .isEqualTo(BigInteger.ONE);

        serve(200, crl(3, 5, 6));
        refresh();
        assertThat(state.snapshot()
                        .crl(ISSUER)
                        .revoked()
                        .contains(BigInteger.valueOf(6).toByteArray()))
                .isTrue();
        assertThat(changes).isEqualTo(2);
    }

    @Test
    void unchanged_crl_is_not_downloaded_again() throws Exception {
        serve(200, crl(1));
        refresh();
        refresh();
        refresh();

        assertThat(fullDownloads.get()).isEqualTo(1);
        assertThat(changes).isEqualTo(1);
    }

    @Test
    void older_crl_is_refused_so_a_revocation_cannot_be_rolled_back() throws Exception {
        serve(200, crl(5, 42));
        refresh();
        serve(200, crl(4));
        refresh();

        assertThat(state.snapshot().crl(ISSUER).number()).isEqualTo(BigInteger.valueOf(5));
        assertThat(state.snapshot()
                        .crl(ISSUER)
                        .revoked()
                        .contains(BigInteger.valueOf(42).toByteArray()))
                .isTrue();
        assertThat(failures()).isEqualTo(1);
    }

    @Test
    void a_different_crl_with_the_number_in_use_is_refused_and_counted_but_the_same_crl_again_is_fine()
            throws Exception {
        final byte[] inUse = crl(5, 42);
        serve(200, inUse);
        refresh();
        serve(200, crl(5));
        refresh();

        assertThat(state.snapshot()
                        .crl(ISSUER)
                        .revoked()
                        .contains(BigInteger.valueOf(42).toByteArray()))
                .as("the CRL in use stays: the one with the same number un-revokes serial 42")
                .isTrue();
        assertThat(failures()).isEqualTo(1);

        serve(200, inUse.clone());
        refresh();
        assertThat(failures()).as("byte for byte the CRL in use").isEqualTo(1);
        assertThat(changes).isEqualTo(1);
    }

    @Test
    void file_source_is_reparsed_only_when_it_changes(@TempDir final Path dir) throws Exception {
        final Path file = dir.resolve("ca.crl");
        Files.write(file, crl(1));
        final CrlRefresher files = new CrlRefresher(
                List.of(new FileSource(file, 1 << 20)),
                new CrlVerifier(List.of(CA.certificate), Duration.ZERO),
                state,
                new CrlMetrics(registry, Clock.systemUTC()),
                Clock.systemUTC(),
                snapshot -> changes++,
                CrlCopies.none(),
                0);

        files.refresh().get();
        files.refresh().get();
        assertThat(changes).isEqualTo(1);
        Files.write(file, crl(2, 9));
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        files.refresh().get();

        assertThat(changes).isEqualTo(2);
        assertThat(state.snapshot()
                        .crl(ISSUER)
                        .revoked()
                        .contains(BigInteger.valueOf(9).toByteArray()))
                .isTrue();
    }

    private CrlRefresher keeping(final RevocationState into, final CrlCopies copies) {
        final URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/ca.crl");
        return new CrlRefresher(
                List.of(new HttpSource(uri, HttpClient.newHttpClient(), Duration.ofMillis(800), 64 * 1024)),
                new CrlVerifier(List.of(CA.certificate), Duration.ZERO),
                into,
                new CrlMetrics(new MetricRegistry(), Clock.systemUTC()),
                Clock.systemUTC(),
                snapshot -> changes++,
                copies,
                64 * 1024);
    }

    private static boolean revokes(final RevocationState in, final long serial) {
        final dev.certguard.crl.verify.VerifiedCrl crl = in.snapshot().crl(ISSUER);
        return crl != null && crl.revoked().contains(BigInteger.valueOf(serial).toByteArray());
    }

    @Test
    void a_restarted_broker_uses_the_copy_of_the_last_good_crl_while_the_crl_server_is_down(@TempDir final Path dir)
            throws Exception {
        final Path marks = dir.resolve("marks.properties");
        final RevocationState before = new RevocationState(CrlHighWaterMarks.load(marks));
        serve(200, crl(5, 42));
        keeping(before, CrlCopies.in(dir, Runnable::run)).refresh().get(10, TimeUnit.SECONDS);
        assertThat(revokes(before, 42)).isTrue();

        serve(500, "down".getBytes());
        final RevocationState restarted = new RevocationState(CrlHighWaterMarks.load(marks));
        final CrlRefresher afterRestart = keeping(restarted, CrlCopies.in(dir, Runnable::run));

        assertThat(afterRestart.restore()).isEqualTo(1);
        assertThat(revokes(restarted, 42)).isTrue();
        afterRestart.refresh().get(10, TimeUnit.SECONDS);
        assertThat(restarted.snapshot().crl(ISSUER).number()).isEqualTo(BigInteger.valueOf(5));

        serve(200, crl(6, 42, 43));
        afterRestart.refresh().get(10, TimeUnit.SECONDS);
        assertThat(revokes(restarted, 43))
                .as("a fetched newer CRL replaces the copy")
                .isTrue();
        final RevocationState again = new RevocationState(CrlHighWaterMarks.load(marks));
        assertThat(keeping(again, CrlCopies.in(dir, Runnable::run)).restore()).isEqualTo(1);
        assertThat(revokes(again, 43))
                .as("and is the copy kept for the next start")
                .isTrue();
    }

    @Test
    void a_tampered_foreign_expired_or_rolled_back_copy_is_not_used(@TempDir final Path dir) throws Exception {
        final CrlCopies copies = CrlCopies.in(dir, Runnable::run);
        final Path file =
                copies.fileOf("http://127.0.0.1:" + server.getAddress().getPort() + "/ca.crl");
        Files.createDirectories(dir);

        final byte[] tampered = crl(5, 42);
        tampered[tampered.length - 3] ^= 0x01;
        final TestCa.Crl expired = CA.crl();
        expired.thisUpdate = java.time.Instant.now().minusSeconds(7200);
        expired.nextUpdate = java.time.Instant.now().minusSeconds(3600);
        final TestCa.Crl foreign = TestCa.ec("CN=IOTmidCA").crl();
        final byte[] emptyNumber = withEmptyCrlNumber(crl(5, 42));
        for (final byte[] bad : List.of(tampered, expired.der(), foreign.der(), emptyNumber, "garbage".getBytes())) {
            Files.write(file, bad);
            final RevocationState restarted = new RevocationState();

            assertThat(keeping(restarted, copies).restore()).isZero();
            assertThat(restarted.snapshot().crl(ISSUER)).isNull();
        }

        final CrlHighWaterMarks marks = CrlHighWaterMarks.load(dir.resolve("marks.properties"));
        final RevocationState used = new RevocationState(marks);
        serve(200, crl(7));
        keeping(used, CrlCopies.none()).refresh().get(10, TimeUnit.SECONDS);
        Files.write(file, crl(6, 42));
        final RevocationState restarted = new RevocationState(CrlHighWaterMarks.load(dir.resolve("marks.properties")));

        assertThat(keeping(restarted, copies).restore())
                .as("older than the high-water mark")
                .isZero();
        assertThat(restarted.snapshot().crl(ISSUER)).isNull();
    }

    /** {@code der} with its cRLNumber (5) re-encoded as an empty INTEGER, lengths unchanged. */
    private static byte[] withEmptyCrlNumber(final byte[] der) {
        final byte[] pattern = {0x06, 0x03, 0x55, 0x1d, 0x14, 0x04, 0x03, 0x02, 0x01, 0x05};
        for (int i = 0; i + pattern.length <= der.length; i++) {
            if (java.util.Arrays.equals(der, i, i + pattern.length, pattern, 0, pattern.length)) {
                final byte[] patched = der.clone();
                patched[i + 8] = 0;
                return patched;
            }
        }
        throw new IllegalStateException("no cRLNumber 5 in the CRL");
    }

    @Test
    void a_copy_is_not_used_once_the_high_water_marks_are_gone_so_a_ca_that_restarted_its_numbering_gets_in(
            @TempDir final Path dir) throws Exception {
        final Path marks = dir.resolve("marks.properties");
        serve(200, crl(5000, 7));
        keeping(new RevocationState(CrlHighWaterMarks.load(marks)), CrlCopies.in(dir, Runnable::run))
                .refresh()
                .get(10, TimeUnit.SECONDS);
        Files.delete(marks);

        final RevocationState restarted = new RevocationState(CrlHighWaterMarks.load(marks));
        final CrlRefresher afterReset = keeping(restarted, CrlCopies.in(dir, Runnable::run));

        assertThat(afterReset.restore()).isZero();
        serve(200, crl(1, 42));
        afterReset.refresh().get(10, TimeUnit.SECONDS);
        assertThat(revokes(restarted, 42))
                .as("the CA's new numbering is in use")
                .isTrue();
        assertThat(revokes(restarted, 7)).isFalse();
    }

    @Test
    void the_copy_is_written_once_per_new_crl_off_the_refresh_thread(@TempDir final Path dir) throws Exception {
        final java.util.List<Runnable> writes = new java.util.ArrayList<>();
        final CrlCopies copies = CrlCopies.in(dir, writes::add);
        final Path marks = dir.resolve("marks.properties");
        final RevocationState state = new RevocationState(CrlHighWaterMarks.load(marks));
        final CrlRefresher keeper = keeping(state, copies);
        final byte[] first = crl(1, 7);
        serve(200, first);

        keeper.refresh().get(10, TimeUnit.SECONDS);
        keeper.refresh().get(10, TimeUnit.SECONDS);

        assertThat(writes)
                .as("handed to the writer, once for the unchanged CRL")
                .hasSize(1);
        assertThat(Files.list(dir).filter(f -> f.toString().endsWith(".crl"))).isEmpty();
        writes.get(0).run();
        assertThat(keeping(new RevocationState(CrlHighWaterMarks.load(marks)), CrlCopies.in(dir, Runnable::run))
                        .restore())
                .isEqualTo(1);
        serve(200, crl(2, 7, 8));
        keeper.refresh().get(10, TimeUnit.SECONDS);
        assertThat(writes).hasSize(2);
    }

    @Test
    void a_refresh_that_finishes_late_never_replaces_a_newer_copy(@TempDir final Path dir) throws Exception {
        final java.util.List<Runnable> writes = new java.util.ArrayList<>();
        final CrlCopies copies = CrlCopies.in(dir, writes::add);
        final CrlVerifier verifier = new CrlVerifier(List.of(CA.certificate), Duration.ZERO);
        final byte[] older = crl(3, 7);
        final byte[] newer = crl(4, 7, 8);
        final String source = "http://crl.example/ca.crl";

        copies.keep(
                source,
                verifier.verify(dev.certguard.crl.verify.ParsedCrl.parse(newer), source, java.time.Instant.now()),
                newer);
        copies.keep(
                source,
                verifier.verify(dev.certguard.crl.verify.ParsedCrl.parse(older), source, java.time.Instant.now()),
                older);

        assertThat(writes).as("only the newer CRL is written").hasSize(1);
        writes.forEach(Runnable::run);
        assertThat(Files.readAllBytes(copies.fileOf(source))).isEqualTo(newer);
    }
}
