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
    final AtomicLong notes = new AtomicLong();
    private final List<String> examples = new ArrayList<>();

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

    void note(final String what) {
        notes.incrementAndGet();
        keep("note: " + what);
    }

    long total() {
        return forbiddenDeliveries.get()
                + forbiddenGrants.get()
                + forbiddenPublishesAccepted.get()
                + revokedAccepted.get()
                + innocentCuts.get();
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
