package dev.certguard.bench.soak;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.certguard.pki.CertificateAuthority;
import java.io.IOException;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.security.cert.CRLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The CA's CRL distribution point, over HTTP, misbehaving on request. Every revocation issues a new
 * CRL (next CRL number, {@code nextUpdate} a fixed time ahead). With chaos on, each request is
 * answered badly with a set probability, in one of the {@link Answer} ways (500, a stall past the
 * broker's timeout, a truncated body, garbage, an expired CRL, a CRL signed by another CA under the
 * same name, an older CRL), and an outage takes the server off its port for a while. It records,
 * per CRL version, when a good copy was first served, which is when a revocation could first take
 * effect. Thread-safe.
 */
final class ChaosCrlServer implements AutoCloseable {

    /** How one request was answered. */
    enum Answer {
        GOOD,
        STATUS_500,
        STALL,
        TRUNCATED,
        GARBAGE,
        EXPIRED,
        OTHER_CA,
        ROLLBACK
    }

    private record Version(int revocations, byte[] der, Instant nextUpdate) {}

    private final CertificateAuthority ca;
    private final CertificateAuthority impostor;
    private final Duration validity;
    private final Duration stall;
    private final int port;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        final Thread thread = new Thread(r, "soak-crl-server");
        thread.setDaemon(true);
        return thread;
    });
    private final List<CertificateAuthority.Revocation> revocations = new ArrayList<>();
    private final List<Version> versions = new ArrayList<>();
    private final List<Instant> firstServed = new ArrayList<>();
    private final Map<Answer, AtomicLong> answers = new EnumMap<>(Answer.class);
    private volatile double badShare;
    private volatile int forcedRollbacks;
    private HttpServer server;
    private Instant lastGoodNextUpdate;
    private Instant lastGoodServedAt;

    ChaosCrlServer(final CertificateAuthority ca, final Duration validity, final Duration stall) throws IOException {
        this.ca = ca;
        this.impostor = CertificateAuthority.createRoot(
                ca.certificate().getSubjectX500Principal().getName().replaceFirst("^CN=", ""),
                Instant.now().plus(Duration.ofDays(2)));
        this.validity = validity;
        this.stall = stall;
        for (final Answer answer : Answer.values()) {
            answers.put(answer, new AtomicLong());
        }
        synchronized (this) {
            issue();
        }
        try (java.net.ServerSocket probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        start();
    }

    String url() {
        return "http://127.0.0.1:" + port + "/ca.crl";
    }

    /** The version the next {@link #revoke} will issue. */
    synchronized int nextVersion() {
        return versions.size();
    }

    /** Puts the serial on the next CRL; returns the CRL version that first carries it. */
    synchronized int revoke(final BigInteger serial) {
        revocations.add(new CertificateAuthority.Revocation(serial, Instant.now(), CertificateAuthority.UNSPECIFIED));
        return issue();
    }

    /** When a good CRL of at least this version was first served, or null while none was. */
    synchronized Instant firstServed(final int version) {
        return version < firstServed.size() ? firstServed.get(version) : null;
    }

    /**
     * Forgets that CRL versions after {@code version} were served: they were served to a broker that
     * was killed before it put them in use, so they take effect only from their next good serve.
     */
    synchronized void unserveAfter(final int version) {
        while (firstServed.size() > version + 1) {
            firstServed.remove(firstServed.size() - 1);
        }
    }

    /** The share of requests answered badly (0 turns chaos off). */
    void badShare(final double share) {
        badShare = share;
    }

    /** Answers the next {@code n} requests with an older CRL, whatever the chaos share. */
    void forceRollbacks(final int n) {
        forcedRollbacks = n;
    }

    /** The {@code nextUpdate} of the newest CRL served whole, or null. */
    synchronized Instant lastGoodNextUpdate() {
        return lastGoodNextUpdate;
    }

    /** When a good CRL was last served whole, or null. */
    synchronized Instant lastGoodServedAt() {
        return lastGoodServedAt;
    }

    synchronized int revocationCount() {
        return revocations.size();
    }

    Map<Answer, Long> answers() {
        final Map<Answer, Long> counts = new EnumMap<>(Answer.class);
        answers.forEach((answer, n) -> counts.put(answer, n.get()));
        return counts;
    }

    /** Takes the server off its port (connections refused) until {@link #start}. */
    synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    synchronized void start() throws IOException {
        if (server != null) {
            return;
        }
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 64);
                break;
            } catch (final IOException busy) {
                last = busy;
                try {
                    Thread.sleep(100);
                } catch (final InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw busy;
                }
            }
        }
        if (server == null) {
            throw last;
        }
        server.setExecutor(threads);
        server.createContext("/ca.crl", this::handle);
        server.start();
    }

    boolean isUp() {
        synchronized (this) {
            return server != null;
        }
    }

    @Override
    public void close() {
        stop();
        threads.shutdownNow();
    }

    private int issue() {
        final Instant now = Instant.now();
        final int version = versions.size();
        final byte[] der = encode(ca.crl(
                List.copyOf(revocations), BigInteger.valueOf(version + 1), now.minusSeconds(5), now.plus(validity)));
        versions.add(new Version(revocations.size(), der, now.plus(validity)));
        return version;
    }

    private void handle(final HttpExchange exchange) throws IOException {
        try (exchange) {
            final Answer answer = choose();
            answers.get(answer).incrementAndGet();
            final Version current;
            synchronized (this) {
                // Like a CA, issue a fresh CRL once a quarter of the validity has passed.
                if (Instant.now()
                        .isAfter(versions.get(versions.size() - 1)
                                .nextUpdate()
                                .minus(validity.multipliedBy(3).dividedBy(4)))) {
                    issue();
                }
                current = versions.get(versions.size() - 1);
            }
            switch (answer) {
                case GOOD -> {
                    // Stamped before the body leaves: latencies measured from it can only read high.
                    served(current);
                    send(exchange, 200, current.der());
                }
                case STATUS_500 -> send(exchange, 500, "try later".getBytes());
                case STALL -> sleep(stall); // past the broker's timeout, then closed without an answer
                case TRUNCATED -> {
                    final byte[] half = java.util.Arrays.copyOf(current.der(), current.der().length / 2);
                    send(exchange, 200, half);
                }
                case GARBAGE -> {
                    final byte[] garbage = new byte[512];
                    ThreadLocalRandom.current().nextBytes(garbage);
                    garbage[0] = 0x30;
                    send(exchange, 200, garbage);
                }
                case EXPIRED -> {
                    final Instant now = Instant.now();
                    send(
                            exchange,
                            200,
                            encode(ca.crl(
                                    List.of(),
                                    BigInteger.valueOf(1_000_000),
                                    now.minus(Duration.ofHours(2)),
                                    now.minus(Duration.ofHours(1)))));
                }
                case OTHER_CA -> {
                    final Instant now = Instant.now();
                    send(
                            exchange,
                            200,
                            encode(impostor.crl(
                                    List.of(), BigInteger.valueOf(1_000_000), now, now.plus(Duration.ofHours(1)))));
                }
                case ROLLBACK -> send(exchange, 200, rollback());
            }
        }
    }

    /**
     * A replay of an older CRL that is still within its validity: signed by the CA, dated now, but
     * with the lower number and the shorter revocation list of a CRL from three revocations ago.
     * Only the broker's CRL number high-water mark (kept across restarts) can tell it is a rollback.
     */
    private synchronized byte[] rollback() {
        final int current = revocations.size();
        int older = 0;
        for (int i = versions.size() - 1; i >= 0; i--) {
            if (versions.get(i).revocations() <= current - 3) {
                older = i;
                break;
            }
        }
        final Instant now = Instant.now();
        return encode(ca.crl(
                List.copyOf(revocations.subList(0, versions.get(older).revocations())),
                BigInteger.valueOf(older + 1),
                now.minusSeconds(5),
                now.plus(validity)));
    }

    private Answer choose() {
        synchronized (this) {
            if (forcedRollbacks > 0) {
                forcedRollbacks--;
                return Answer.ROLLBACK;
            }
        }
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        if (random.nextDouble() >= badShare) {
            return Answer.GOOD;
        }
        final Answer[] bad = {
            Answer.STATUS_500,
            Answer.STALL,
            Answer.TRUNCATED,
            Answer.GARBAGE,
            Answer.EXPIRED,
            Answer.OTHER_CA,
            Answer.ROLLBACK
        };
        return bad[random.nextInt(bad.length)];
    }

    private synchronized void served(final Version version) {
        final int newest = versions.indexOf(version);
        final Instant now = Instant.now();
        while (firstServed.size() <= newest) {
            firstServed.add(now);
        }
        lastGoodServedAt = now;
        if (lastGoodNextUpdate == null || version.nextUpdate().isAfter(lastGoodNextUpdate)) {
            lastGoodNextUpdate = version.nextUpdate();
        }
    }

    private static void send(final HttpExchange exchange, final int status, final byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "application/pkix-crl");
        exchange.sendResponseHeaders(status, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static byte[] encode(final java.security.cert.X509CRL crl) {
        try {
            return crl.getEncoded();
        } catch (final CRLException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(final Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
