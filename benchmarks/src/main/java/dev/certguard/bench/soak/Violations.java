package dev.certguard.bench.soak;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What must never happen in a soak, counted, with the first examples kept for the report; and
 * notes of what is unexpected but not a security failure. Thread-safe.
 */
final class Violations {

    private static final int EXAMPLES = 20;

    final AtomicLong forbiddenDeliveries = new AtomicLong();
    final AtomicLong forbiddenGrants = new AtomicLong();
    final AtomicLong forbiddenPublishesAccepted = new AtomicLong();
    final AtomicLong revokedAccepted = new AtomicLong();
    final AtomicLong innocentCuts = new AtomicLong();
    final AtomicLong unchecked = new AtomicLong();
    final AtomicLong driverFailures = new AtomicLong();
    final AtomicLong notes = new AtomicLong();
    private final List<String> examples = new ArrayList<>();
    private final List<String> noteExamples = new ArrayList<>();

    void forbidden(final String what) {
        forbiddenDeliveries.incrementAndGet();
        keep("forbidden delivery: " + what);
    }

    void forbiddenGrant(final String what) {
        forbiddenGrants.incrementAndGet();
        keep("forbidden subscription granted: " + what);
    }

    void forbiddenPublishAccepted(final String what) {
        forbiddenPublishesAccepted.incrementAndGet();
        keep("forbidden publish acknowledged: " + what);
    }

    void revokedAccepted(final Member member, final String what) {
        revokedAccepted.incrementAndGet();
        keep(member.removal + " " + member.identity + " " + what);
    }

    void innocentCut(final String what) {
        innocentCuts.incrementAndGet();
        keep(what);
    }

    void unchecked(final String what) {
        unchecked.incrementAndGet();
        keep(what);
    }

    /** The soak itself failed to do something it must (a step threw, a phase could not happen). */
    void driverFailure(final String what) {
        driverFailures.incrementAndGet();
        keep("soak: " + what);
    }

    void note(final String what) {
        notes.incrementAndGet();
        synchronized (this) {
            if (noteExamples.size() < EXAMPLES) {
                noteExamples.add(Instant.now() + " " + what);
            }
        }
    }

    synchronized List<String> noteExamples() {
        return List.copyOf(noteExamples);
    }

    long total() {
        return forbiddenDeliveries.get()
                + forbiddenGrants.get()
                + forbiddenPublishesAccepted.get()
                + revokedAccepted.get()
                + innocentCuts.get()
                + unchecked.get()
                + driverFailures.get();
    }

    synchronized List<String> examples() {
        return List.copyOf(examples);
    }

    private synchronized void keep(final String what) {
        if (examples.size() < EXAMPLES * 5) {
            examples.add(Instant.now() + " " + what);
        }
    }
}
