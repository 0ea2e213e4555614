package dev.certguard.bench.micro;

import dev.certguard.connection.Connection;
import dev.certguard.disconnect.lifetime.LifetimeTracker;
import java.security.cert.X509Certificate;

/** Lets the footprint measurement build the same tracker and chain the benchmark uses. */
public final class LifetimeTimerBenchmarkAccess {

    private LifetimeTimerBenchmarkAccess() {}

    public static LifetimeTracker tracker() {
        return LifetimeTimerBenchmark.tracker();
    }

    public static Connection connect(final String clientId, final X509Certificate[] chain) {
        return LifetimeTimerBenchmark.connect(clientId, chain);
    }

    public static void disconnected(final String clientId) {
        LifetimeTimerBenchmark.OWNERS.ended(clientId, true, null);
    }

    public static X509Certificate[] chain() {
        return LifetimeTimerBenchmark.chain();
    }
}
