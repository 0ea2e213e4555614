package dev.certguard.disconnect.lifetime;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BucketedDeadlinesTest {

    private final BucketedDeadlines wheel = started();

    private static BucketedDeadlines started() {
        final BucketedDeadlines deadlines = new BucketedDeadlines(System::currentTimeMillis);
        deadlines.start(runnable -> new Thread(runnable, "test-deadlines"));
        return deadlines;
    }

    @AfterEach
    void stop() {
        wheel.stop();
    }

    private static final class Probe extends BucketedDeadlines.Node {
        final AtomicInteger fired = new AtomicInteger();
        volatile long firedAt;
        final CountDownLatch latch = new CountDownLatch(1);

        @Override
        void expire() {
            firedAt = System.currentTimeMillis();
            fired.incrementAndGet();
            latch.countDown();
        }
    }

    @Test
    void deadline_fires_once_never_early_and_at_most_a_tick_late() throws Exception {
        final Probe probe = new Probe();
        final long at = System.currentTimeMillis() + 300;

        wheel.schedule(probe, at);

        assertThat(probe.latch.await(2, TimeUnit.SECONDS)).isTrue();
        assertThat(probe.firedAt).isBetween(at, at + BucketedDeadlines.TICK_MILLIS + 100);
        Thread.sleep(200);
        assertThat(probe.fired.get()).isEqualTo(1);
        assertThat(wheel.size()).isZero();
    }

    @Test
    void cancelled_deadline_never_fires_and_leaves_nothing_behind() throws Exception {
        final Probe probe = new Probe();
        wheel.schedule(probe, System.currentTimeMillis() + 200);

        assertThat(wheel.cancel(probe)).isTrue();
        assertThat(wheel.cancel(probe)).as("second cancel").isFalse();
        Thread.sleep(400);

        assertThat(probe.fired.get()).isZero();
        assertThat(wheel.size()).isZero();
    }

    @Test
    void concurrent_schedules_and_cancels_fire_exactly_the_uncancelled_ones() throws Exception {
        final int threads = 4;
        final int perThread = 5_000;
        final List<List<Probe>> kept = new ArrayList<>();
        final List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            final List<Probe> mine = new ArrayList<>();
            kept.add(mine);
            workers.add(new Thread(() -> {
                for (int i = 0; i < perThread; i++) {
                    final Probe probe = new Probe();
                    wheel.schedule(
                            probe,
                            System.currentTimeMillis()
                                    + ThreadLocalRandom.current().nextInt(0, 400));
                    if (i % 2 == 0 && wheel.cancel(probe)) {
                        continue;
                    }
                    mine.add(probe);
                }
            }));
        }
        workers.forEach(Thread::start);
        for (final Thread worker : workers) {
            worker.join();
        }
        Thread.sleep(1000);

        final long firedOnce = kept.stream()
                .flatMap(List::stream)
                .filter(p -> p.fired.get() == 1)
                .count();
        final long keptCount = kept.stream().mapToLong(List::size).sum();
        assertThat(firedOnce).isEqualTo(keptCount);
        assertThat(keptCount).isGreaterThanOrEqualTo(threads * perThread / 2);
        assertThat(wheel.size()).isZero();
    }
}
