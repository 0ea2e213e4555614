package dev.certguard.bench.sim;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** The simulation's wall clock: real time plus whatever the simulation skipped ahead. Thread-safe. */
final class SimClock extends Clock {

    private volatile Duration ahead = Duration.ZERO;

    void skip(final Duration by) {
        ahead = ahead.plus(by);
    }

    @Override
    public Instant instant() {
        return Instant.now().plus(ahead);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final ZoneId zone) {
        throw new UnsupportedOperationException("UTC only");
    }
}
