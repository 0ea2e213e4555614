package dev.certguard.broker;

import com.codahale.metrics.MetricRegistry;
import dev.certguard.metrics.ExtensionMetrics;
import dev.certguard.metrics.MetricDefinition;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The fleet audit's gauge of the broker certificate's days to expiry, kept by the launcher: the
 * certificate each TLS listener presents, read the way a device reads it (a TLS handshake to the
 * listener, abandoned as soon as the broker's certificate arrived, so nothing is authenticated and no
 * client certificate is sent), at start and every hour on the watch's own daemon thread. Reading what
 * the listener serves rather than a keystore file sees the certificate devices are shown, whatever
 * the keystore's type, password or path. The gauge is the soonest expiry over the TLS listeners read;
 * a listener that cannot be read keeps its last reading. Thread-safe: the gauge reads a volatile
 * snapshot the watch thread replaces.
 */
final class BrokerCertificateWatch implements AutoCloseable {

    static final MetricDefinition DAYS = MetricDefinition.gauge(
            "broker-certificate.days-to-expiry",
            "Whole days until the first of the certificates the broker's TLS listeners present expires (read by"
                    + " the launcher from each listener, at start and hourly; negative once expired).");

    /** The metric the launcher adds under the fleet audit's prefix. */
    static final List<MetricDefinition> DEFINITIONS = List.of(DAYS);

    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final List<ListenerCheck.Listener> listeners;
    private final Clock clock;
    private final ExtensionMetrics metrics;
    private final ScheduledExecutorService thread;
    private volatile List<Instant> notAfter = List.of();
    private boolean registered;

    private BrokerCertificateWatch(
            final List<ListenerCheck.Listener> listeners, final MetricRegistry registry, final Clock clock) {
        this.listeners = List.copyOf(listeners);
        this.clock = clock;
        this.metrics = new ExtensionMetrics(registry, "audit", DEFINITIONS);
        this.thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            final Thread watch = new Thread(runnable, "certguard-broker-certificate");
            watch.setDaemon(true);
            return watch;
        });
    }

    /**
     * Reads the TLS listeners' certificates now (the caller's thread, after the broker serves them) and
     * then every {@code period}; registers the gauge once one was read. Without TLS listeners nothing
     * is registered or scheduled.
     */
    static BrokerCertificateWatch start(
            final List<ListenerCheck.Listener> all,
            final MetricRegistry registry,
            final Clock clock,
            final Duration period) {
        final List<ListenerCheck.Listener> tls =
                all.stream().filter(ListenerCheck.Listener::tls).toList();
        final BrokerCertificateWatch watch = new BrokerCertificateWatch(tls, registry, clock);
        if (!tls.isEmpty()) {
            watch.read();
            watch.thread.scheduleWithFixedDelay(
                    watch::read, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
        }
        return watch;
    }

    private synchronized void read() {
        final List<Instant> read = new ArrayList<>();
        final List<Instant> previous = notAfter;
        for (int i = 0; i < listeners.size(); i++) {
            final Optional<X509Certificate> presented = presented(listeners.get(i));
            if (presented.isPresent()) {
                read.add(presented.get().getNotAfter().toInstant());
            } else if (i < previous.size()) {
                read.add(previous.get(i));
            }
        }
        if (read.isEmpty()) {
            return;
        }
        notAfter = List.copyOf(read);
        if (!registered) {
            registered = true;
            metrics.gauge(DAYS, null, () -> daysLeft(notAfter));
        }
    }

    private long daysLeft(final List<Instant> expiries) {
        final Instant now = clock.instant();
        return expiries.stream()
                .mapToLong(at -> Duration.between(now, at).toDays())
                .min()
                .orElse(0);
    }

    /** The leaf certificate {@code listener} presents, or empty when it cannot be read now. */
    static Optional<X509Certificate> presented(final ListenerCheck.Listener listener) {
        final AtomicReference<X509Certificate> seen = new AtomicReference<>();
        final X509TrustManager reader = new X509TrustManager() {
            @Override
            public void checkServerTrusted(final X509Certificate[] chain, final String authType)
                    throws CertificateException {
                if (chain != null && chain.length > 0) {
                    seen.set(chain[0]);
                }
                // Nothing more is wanted from this listener: end the handshake here.
                throw new CertificateException("certguard reads the broker's certificate only");
            }

            @Override
            public void checkClientTrusted(final X509Certificate[] chain, final String authType)
                    throws CertificateException {
                throw new CertificateException("not a server");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        try {
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {reader}, null);
            try (Socket plain = new Socket()) {
                plain.connect(new InetSocketAddress(listener.localHost(), listener.port()), (int) TIMEOUT.toMillis());
                plain.setSoTimeout((int) TIMEOUT.toMillis());
                try (SSLSocket socket = (SSLSocket)
                        context.getSocketFactory().createSocket(plain, listener.localHost(), listener.port(), true)) {
                    socket.startHandshake();
                } catch (final SSLException expected) {
                    // The reader ended the handshake once the certificate arrived.
                }
            }
        } catch (final IOException | GeneralSecurityException e) {
            return Optional.ofNullable(seen.get());
        }
        return Optional.ofNullable(seen.get());
    }

    @Override
    public void close() {
        thread.shutdownNow();
        metrics.removeDefined();
    }
}
