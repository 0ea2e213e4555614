package dev.certguard.broker;

import com.codahale.metrics.MetricRegistry;
import com.hivemq.configuration.service.InternalConfigurations;
import com.hivemq.embedded.EmbeddedHiveMQ;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * HiveMQ running embedded on a {@link BrokerHome}, with its folder extensions, that serves clients
 * only once every certguard extension has reported itself running and every configured listener is
 * serving; otherwise it is stopped again and {@link #start} says what failed and why. While it runs,
 * {@link BrokerCertificateWatch} keeps the fleet audit's gauge of the broker certificate's days to
 * expiry. Thread-safe.
 */
public final class EmbeddedBroker implements AutoCloseable {

    /** How often the broker certificate's expiry is read again from the TLS listeners. */
    static final Duration CERTIFICATE_READ_PERIOD = Duration.ofHours(1);

    private final EmbeddedHiveMQ hivemq;
    private final BrokerCertificateWatch certificates;

    private EmbeddedBroker(final EmbeddedHiveMQ hivemq, final BrokerCertificateWatch certificates) {
        this.hivemq = hivemq;
        this.certificates = certificates;
    }

    public static EmbeddedBroker start(final BrokerHome home, final Duration timeout) throws BrokerStartException {
        final List<String> before = new java.util.ArrayList<>(ExtensionCheck.beforeStart(home));
        if (before.isEmpty()) {
            before.addAll(ListenerCheck.beforeStart(home, System.getenv()));
        }
        if (!before.isEmpty()) {
            throw new BrokerStartException(before, null);
        }
        try {
            java.nio.file.Files.createDirectories(home.data());
        } catch (final java.io.IOException e) {
            throw new BrokerStartException(
                    List.of("cannot create the data folder " + home.data() + ": " + e.getMessage()), e);
        }
        final EmbeddedHiveMQ hivemq = gated(home);
        try {
            hivemq.start().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (final ExecutionException | TimeoutException e) {
            stopQuietly(hivemq);
            throw new BrokerStartException(List.of("HiveMQ did not start: " + rootMessage(e)), e);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly(hivemq);
            throw new BrokerStartException(List.of("interrupted while HiveMQ was starting"), e);
        }
        final List<String> after =
                new java.util.ArrayList<>(ExtensionCheck.afterStart(home, hivemq.getMetricRegistry()));
        after.addAll(ListenerCheck.afterStart(home, System.getenv()));
        if (!after.isEmpty()) {
            stopQuietly(hivemq);
            throw new BrokerStartException(after, null);
        }
        return new EmbeddedBroker(
                hivemq,
                BrokerCertificateWatch.start(
                        ListenerCheck.listeners(home, System.getenv()),
                        hivemq.getMetricRegistry(),
                        java.time.Clock.systemUTC(),
                        CERTIFICATE_READ_PERIOD));
    }

    /**
     * HiveMQ on {@code home} with the startup gate, not started. Embedded HiveMQ lets clients in when no
     * authenticator exists; its builder's documented switch turns that back into a refusal, so a
     * missing certguard authenticator can never mean "allow all".
     */
    static EmbeddedHiveMQ gated(final BrokerHome home) {
        final StartupGate gate = new StartupGate(registry -> ExtensionCheck.afterStart(home, registry));
        // Embedded HiveMQ would put its log folder beside its own jar; the home's log/ is the operator's.
        System.setProperty("hivemq.log.folder", home.log().toAbsolutePath().toString());
        final EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(home.conf())
                .withDataFolder(home.data())
                .withExtensionsFolder(home.extensions())
                .withEmbeddedExtension(gate.asEmbeddedExtension())
                .build();
        denyWithoutAuthenticator();
        return hivemq;
    }

    /** Call after {@code EmbeddedHiveMQ.builder().build()} and before start: no authenticator means refuse. */
    static void denyWithoutAuthenticator() {
        InternalConfigurations.AUTH_DENY_UNAUTHENTICATED_CONNECTIONS.set(true);
    }

    public MetricRegistry metrics() {
        return hivemq.getMetricRegistry();
    }

    @Override
    public void close() {
        certificates.close();
        stopQuietly(hivemq);
    }

    private static void stopQuietly(final EmbeddedHiveMQ hivemq) {
        try {
            hivemq.close();
        } catch (final ExecutionException e) {
            // Stopping is best effort; the cause was already reported by HiveMQ's own log.
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String rootMessage(final Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        final String what = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return what + " (HiveMQ's log above says why, e.g. a keystore it cannot open or a port in use)";
    }
}
