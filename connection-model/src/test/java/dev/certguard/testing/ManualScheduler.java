package dev.certguard.testing;

import dev.certguard.connection.ConnectionCutter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** A scheduler whose tasks run only when a test calls {@link #runAll()}. Thread-safe. */
public final class ManualScheduler implements ConnectionCutter.Scheduler {

    private final List<Runnable> tasks = new ArrayList<>();
    private final List<Duration> delays = new ArrayList<>();

    @Override
    public synchronized void schedule(final Runnable task, final Duration delay) {
        tasks.add(task);
        delays.add(delay);
    }

    /** Runs the tasks scheduled so far (not those they schedule); returns how many ran. */
    public int runAll() {
        final List<Runnable> due;
        synchronized (this) {
            due = new ArrayList<>(tasks);
            tasks.clear();
            delays.clear();
        }
        due.forEach(Runnable::run);
        return due.size();
    }

    /** The delays of the tasks scheduled since the last {@link #runAll()}, in order. */
    public synchronized List<Duration> delays() {
        return List.copyOf(delays);
    }

    public synchronized int pending() {
        return tasks.size();
    }
}
