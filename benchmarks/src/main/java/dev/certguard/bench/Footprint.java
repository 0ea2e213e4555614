package dev.certguard.bench;

import dev.certguard.bench.micro.LargeCrl;
import dev.certguard.connection.Connection;
import dev.certguard.crl.verify.CrlVerifier;
import dev.certguard.crl.verify.ParsedCrl;
import dev.certguard.crl.verify.VerifiedCrl;
import dev.certguard.disconnect.lifetime.LifetimeTracker;
import dev.certguard.pki.CertificateAuthority;
import java.lang.management.ManagementFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Retained heap per CRL entry and per tracked connection, measured as the live-heap difference
 * after full GCs; plus wall-clock load time of a 1,000,000-entry CRL and the longest lookup pause a
 * concurrent reader saw while it loaded.
 */
final class Footprint {

    private Footprint() {}

    static void run() throws Exception {
        final CertificateAuthority ca =
                CertificateAuthority.createRoot("bench CA", Instant.now().plusSeconds(86400));
        final int entries = 1_000_000;
        final LargeCrl.Generated generated = LargeCrl.generate(ca, entries, 1, 1);
        final CrlVerifier verifier = new CrlVerifier(List.of(ca.certificate()), Duration.ZERO);
        for (int i = 0; i < 3; i++) {
            verifier.verify(ParsedCrl.parse(generated.der()), "warmup", Instant.now());
        }
        final long[] loads = new long[5];
        final VerifiedCrl first = verifier.verify(ParsedCrl.parse(generated.der()), "first", Instant.now());
        final AtomicBoolean loading = new AtomicBoolean(true);
        final AtomicLong worstLookupNanos = new AtomicLong();
        final Thread reader = new Thread(() -> {
            int i = 0;
            while (loading.get()) {
                final long start = System.nanoTime();
                first.revoked().contains(generated.serials()[i++ % entries]);
                worstLookupNanos.accumulateAndGet(System.nanoTime() - start, Math::max);
            }
        });
        reader.start();
        for (int i = 0; i < loads.length; i++) {
            final long start = System.nanoTime();
            verifier.verify(ParsedCrl.parse(generated.der()), "timed", Instant.now());
            loads[i] = System.nanoTime() - start;
        }
        loading.set(false);
        reader.join();
        java.util.Arrays.sort(loads);

        final byte[] der = generated.der();
        final long before = liveHeap();
        final VerifiedCrl held = verifier.verify(ParsedCrl.parse(der), "held", Instant.now());
        final long after = liveHeap();
        final double perEntry = (after - before) / (double) entries;

        final LifetimeTracker tracker = dev.certguard.bench.micro.LifetimeTimerBenchmarkAccess.tracker();
        final X509Certificate[] chain = dev.certguard.bench.micro.LifetimeTimerBenchmarkAccess.chain();
        final int connections = 100_000;
        final String[] ids = new String[connections];
        for (int i = 0; i < connections; i++) {
            ids[i] = "admin:d" + i + "/mosq-" + i;
        }
        final LifetimeTracker.Tracked[] tracked = new LifetimeTracker.Tracked[connections];
        final Connection[] connected = new Connection[connections];
        final long beforeTimers = liveHeap();
        for (int i = 0; i < connections; i++) {
            // Everything disconnect-extension keeps per connection: the shared model's connection and
            // client-id count, the deadline and its bucket node (HiveMQ holds the listener object).
            connected[i] = dev.certguard.bench.micro.LifetimeTimerBenchmarkAccess.connect(ids[i], chain);
            tracked[i] = tracker.authenticated(connected[i]);
        }
        final long afterTimers = liveHeap();
        for (int i = 0; i < connections; i++) {
            tracker.ended(connected[i], tracked[i]);
            dev.certguard.bench.micro.LifetimeTimerBenchmarkAccess.disconnected(ids[i]);
            tracked[i] = null;
            connected[i] = null;
        }
        final long afterCancel = liveHeap();
        tracker.stop();

        System.out.printf("CRL with %,d entries: DER %,d bytes%n", entries, der.length);
        System.out.printf(
                "  parse + verify: median %.0f ms, best %.0f ms, worst %.0f ms (5 runs)%n",
                loads[2] / 1e6, loads[0] / 1e6, loads[4] / 1e6);
        System.out.printf("  longest lookup on another thread while loading: %.1f us%n", worstLookupNanos.get() / 1e3);
        System.out.printf(
                "  retained heap: %,d bytes = %.1f bytes per entry (index self-estimate %.1f)%n",
                after - before, perEntry, held.revoked().retainedBytes() / (double) entries);
        System.out.printf(
                "Lifetime timers for %,d connections: retained %,d bytes = %.1f bytes per connection;"
                        + " after every disconnect %,d bytes remain (%d tracked, %d queued)%n",
                connections,
                afterTimers - beforeTimers,
                (afterTimers - beforeTimers) / (double) connections,
                Math.max(0, afterCancel - beforeTimers),
                tracker.tracked(),
                tracker.queuedDeadlines());
        if (held.revoked().size() != entries || tracked.length != connections) {
            throw new IllegalStateException("unexpected sizes");
        }
        // Everything allocated before a heap reading stays reachable until the last one, so a
        // collection of earlier garbage never shows up as a negative footprint.
        java.lang.ref.Reference.reachabilityFence(generated);
        java.lang.ref.Reference.reachabilityFence(first);
        partitions(ca, verifier);
    }

    /**
     * Retained heap per partition CRL in use (index, scope, name index and snapshot entries), with
     * 0, 100 and 30,000 entries each (an AWS Private CA partition holds up to about 30,000), measured
     * over many partitions put in use in one state.
     */
    private static void partitions(final CertificateAuthority ca, final CrlVerifier verifier) throws Exception {
        for (final int[] size : new int[][] {{0, 2000}, {100, 2000}, {30_000, 100}}) {
            final int entries = size[0];
            final int count = size[1];
            final byte[][] ders = new byte[count][];
            for (int i = 0; i < count; i++) {
                ders[i] = LargeCrl.generate(
                                ca,
                                entries,
                                1000 + i,
                                1,
                                new byte[0][],
                                "http://crl.example.com/partitions/" + i + ".crl")
                        .der();
            }
            final dev.certguard.crl.state.RevocationState state = new dev.certguard.crl.state.RevocationState();
            final long before = liveHeap();
            for (int i = 0; i < count; i++) {
                state.install(verifier.verify(ParsedCrl.parse(ders[i]), "partition " + i, Instant.now()));
            }
            final long after = liveHeap();
            if (state.snapshot().crls().size() != count) {
                throw new IllegalStateException(
                        "unexpected partition count " + state.snapshot().crls().size());
            }
            System.out.printf(
                    "Partitions in use, %,d entries each: %,d partitions retain %,d bytes = %,.0f bytes per partition"
                            + " (DER %,d bytes each)%n",
                    entries, count, after - before, (after - before) / (double) count, ders[0].length);
            java.lang.ref.Reference.reachabilityFence(ders);
            java.lang.ref.Reference.reachabilityFence(state);
        }
    }

    private static long liveHeap() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(
                    used,
                    ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }
}
