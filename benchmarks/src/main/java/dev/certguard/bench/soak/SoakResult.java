package dev.certguard.bench.soak;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The figures of one soak and whether they reach the targets: no forbidden delivery, grant or
 * publish, no revoked or denied certificate accepted, every removal in force (CRL: a live cut within
 * a second of the CRL being served, and within one refresh interval + 1 s of the revocation when the
 * first fetch after it was answered well; deny list: within 3 s), tracked records equal to
 * connections at every sample and zero once everybody has gone, no ERROR line. Immutable once built.
 */
public final class SoakResult {

    /** One device taken out of the fleet, and when it took effect. */
    public record Removal(
            String identity,
            Member.Removal kind,
            Instant removedAt,
            Instant crlServedAt,
            Instant effectAt,
            String how,
            boolean connectedAtRemoval,
            Instant brokerEffectAt,
            String brokerHow,
            long hivemqCloseMillis) {

        /** From removal (or the first good serve of the CRL carrying it) to the broker's cut; -1 when none. */
        long millisFrom(final Instant from) {
            return from == null || brokerEffectAt == null
                    ? -1
                    : Duration.between(from, brokerEffectAt).toMillis();
        }

        /** The same without the time HiveMQ took to close the connection: certguard's own latency. */
        long ownMillisFrom(final Instant from) {
            final long total = millisFrom(from);
            return total < 0 ? -1 : total - hivemqCloseMillis;
        }

        /** The same, to the moment the device saw the cut. */
        long clientMillisFrom(final Instant from) {
            return from == null || effectAt == null
                    ? -1
                    : Duration.between(from, effectAt).toMillis();
        }
    }

    final SoakOptions options;
    final Instant finishedAt;
    final List<Sample> samples;
    final Sample afterLoad;
    final Sample drained;
    final long forbiddenDeliveries;
    final long forbiddenGrants;
    final long forbiddenPublishesAccepted;
    final long revokedAccepted;
    final long innocentCuts;
    final long unchecked;
    final long driverFailures;
    final List<String> noteExamples;
    final long notes;
    final List<String> examples;
    final List<Removal> removals = new ArrayList<>();
    final Map<ChaosCrlServer.Answer, Long> crlAnswers;
    final int revocations;
    final long attrsMissed;
    final long attrsAcked;
    final long configMissed;
    final long configAcked;
    final long attrsDelivered;
    final long configDelivered;
    final long connects;
    final long lifetimeCuts;
    final long refusedUnavailable;
    final long spyCycles;
    final long spyFiltersRefused;
    final java.util.Map<String, Long> spyOutcomes;
    final long probes;
    final long probesRefused;
    final List<String> errorLines;
    final List<String> events;
    final int restarts;
    /** Flatness is judged from here (five minutes after the broker's last start in long runs) to the end. */
    final double flatFromSeconds;

    SoakResult(
            final SoakOptions options,
            final Instant finishedAt,
            final List<Sample> samples,
            final Sample afterLoad,
            final Sample drained,
            final Violations violations,
            final Fleet fleet,
            final Spy spy,
            final Map<ChaosCrlServer.Answer, Long> crlAnswers,
            final int revocations,
            final long[] missed,
            final List<String> errorLines,
            final List<String> events,
            final int restarts,
            final double lastStartSeconds) {
        this.options = options;
        this.finishedAt = finishedAt;
        this.samples = samples;
        this.afterLoad = afterLoad;
        this.drained = drained;
        this.forbiddenDeliveries = violations.forbiddenDeliveries.get();
        this.forbiddenGrants = violations.forbiddenGrants.get();
        this.forbiddenPublishesAccepted = violations.forbiddenPublishesAccepted.get();
        this.revokedAccepted = violations.revokedAccepted.get();
        this.innocentCuts = violations.innocentCuts.get();
        this.unchecked = violations.unchecked.get();
        this.driverFailures = violations.driverFailures.get();
        this.noteExamples = violations.noteExamples();
        this.notes = violations.notes.get();
        this.examples = violations.examples();
        this.crlAnswers = crlAnswers;
        this.revocations = revocations;
        this.attrsMissed = missed[0];
        this.attrsAcked = missed[1];
        this.configMissed = missed[2];
        this.configAcked = missed[3];
        this.attrsDelivered = fleet.attrsDelivered.get();
        this.configDelivered = fleet.configDelivered.get();
        this.connects = fleet.connects.get();
        this.lifetimeCuts = fleet.lifetimeCuts.get();
        this.refusedUnavailable = fleet.refusedUnavailable.get();
        this.spyCycles = spy.cycles.get();
        this.spyFiltersRefused = spy.filtersRefused.get();
        this.spyOutcomes = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(spy.outcomes));
        this.probes = spy.probes.get();
        this.probesRefused = spy.probesRefused.get();
        this.errorLines = List.copyOf(errorLines);
        this.events = events;
        this.restarts = restarts;
        this.flatFromSeconds = lastStartSeconds + (options.seconds() >= 600 ? 300 : 0);
        for (final Member member : fleet.removed()) {
            removals.add(new Removal(
                    member.identity,
                    member.removal,
                    member.removedAt,
                    member.removal == Member.Removal.REVOKED ? fleet.crlServed(member.crlVersion) : null,
                    member.effectAt,
                    member.effectHow,
                    member.connectedAtRemoval,
                    member.brokerEffectAt,
                    member.brokerEffectHow,
                    member.hivemqCloseMillis));
        }
    }

    public long violations() {
        return forbiddenDeliveries
                + forbiddenGrants
                + forbiddenPublishesAccepted
                + revokedAccepted
                + innocentCuts
                + unchecked
                + driverFailures;
    }

    public long forbiddenDeliveries() {
        return forbiddenDeliveries;
    }

    public long revokedAccepted() {
        return revokedAccepted;
    }

    List<Removal> removals(final Member.Removal kind) {
        return removals.stream().filter(r -> r.kind() == kind).toList();
    }

    /** Removals that never took effect. */
    public long removalsNotInForce() {
        return removals.stream()
                .filter(r -> r.effectAt() == null && r.brokerEffectAt() == null)
                .count();
    }

    public int crlRevocations() {
        return removals(Member.Removal.REVOKED).size();
    }

    public int denials() {
        return removals(Member.Removal.DENIED).size();
    }

    /** Longest time from the first good serve of a CRL to the live cut of a device it revokes. */
    /** @param own without the time HiveMQ took to close the connection (certguard's own latency) */
    public long maxCutAfterServeMillis(final boolean own) {
        return removals(Member.Removal.REVOKED).stream()
                .filter(r -> "cut".equals(r.brokerHow()))
                .mapToLong(r -> own ? r.ownMillisFrom(r.crlServedAt()) : r.millisFrom(r.crlServedAt()))
                .max()
                .orElse(-1);
    }

    /**
     * Longest time from a revocation to its live cut, over revocations whose next CRL fetch was
     * answered well (chaos delays the others by whole refresh intervals, on purpose).
     */
    public long maxRevocationToCutMillis(final boolean own) {
        return removals(Member.Removal.REVOKED).stream()
                .filter(r -> "cut".equals(r.brokerHow()) && r.crlServedAt() != null)
                .filter(r -> Duration.between(r.removedAt(), r.crlServedAt()).toMillis()
                        <= options.refreshSeconds() * 1000L + 500)
                .mapToLong(r -> own ? r.ownMillisFrom(r.removedAt()) : r.millisFrom(r.removedAt()))
                .max()
                .orElse(-1);
    }

    public long maxDenyToCutMillis(final boolean own) {
        return removals(Member.Removal.DENIED).stream()
                .filter(r -> "cut".equals(r.brokerHow()))
                .mapToLong(r -> own ? r.ownMillisFrom(r.removedAt()) : r.millisFrom(r.removedAt()))
                .max()
                .orElse(-1);
    }

    /** Longest time from a removal to the moment the device itself saw the cut (includes the load generator's delays). */
    public long maxClientSawCutMillis() {
        return removals.stream()
                .filter(r -> "cut".equals(r.how()))
                .mapToLong(
                        r -> r.clientMillisFrom(r.kind() == Member.Removal.REVOKED ? r.crlServedAt() : r.removedAt()))
                .max()
                .orElse(-1);
    }

    /** Removals cut live / refused at a later CONNECT, as the broker's audit trail shows them. */
    public long[] cutAndRefused() {
        return new long[] {
            removals.stream().filter(r -> "cut".equals(r.brokerHow())).count(),
            removals.stream().filter(r -> "refused".equals(r.brokerHow())).count()
        };
    }

    /** Samples whose tracked records did not equal the connections in any scrape. */
    public long samplesDisagreeing() {
        return samples.stream().filter(s -> !s.agreed() && !s.storm()).count();
    }

    /**
     * Samples that disagreed while the fleet reconnected en masse (after the SIGKILL, or while the
     * broker refused everyone for lack of a usable CRL): HiveMQ's gauge then counts handshakes and
     * refused CONNECTs in progress, and its extension event queue lags the channels by seconds;
     * reported, not failed on, since the final drain to zero is what tells a leak.
     */
    public long stormSamplesDisagreeing() {
        return samples.stream().filter(s -> !s.agreed() && s.storm()).count();
    }

    public int samples() {
        return samples.size();
    }

    /** Whether every tracked record and connection was gone once every client disconnected. */
    public boolean drainedToZero() {
        return drained.connections() == 0
                && drained.aclTracked() == 0
                && drained.crlTracked() == 0
                && drained.disconnectTracked() == 0
                && drained.clientIdsTracked() == 0;
    }

    public List<String> errorLines() {
        return errorLines;
    }

    public int restarts() {
        return restarts;
    }

    public long connects() {
        return connects;
    }

    public long spyCycles() {
        return spyCycles;
    }

    public long spyFiltersRefused() {
        return spyFiltersRefused;
    }

    public long probesRefused() {
        return probesRefused;
    }

    public long refusedUnavailable() {
        return refusedUnavailable;
    }

    /** The problems that fail the run; empty when it passed. */
    public List<String> failures() {
        final List<String> failures = new ArrayList<>();
        if (violations() > 0) {
            failures.add(
                    violations() + " violations: " + examples.stream().limit(10).toList());
        }
        if (crlRevocations() + denials() > 0 && cutAndRefused()[0] == 0) {
            failures.add("no revocation or deny-list entry was cut live: each removed device waited for its"
                    + " lifetime or its next CONNECT");
        }
        if (removalsNotInForce() > 0) {
            failures.add(removalsNotInForce() + " revocations or denials never took effect");
        }
        // Judged on certguard's own latency; the time HiveMQ took to close a connection (seconds while
        // one core works through a reconnect storm) is reported next to it.
        if (maxCutAfterServeMillis(true) > 1000) {
            failures.add("a live cut came " + maxCutAfterServeMillis(true)
                    + " ms after its CRL was served, not counting HiveMQ's close (limit 1000)");
        }
        if (maxRevocationToCutMillis(true) > options.refreshSeconds() * 1000L + 1000) {
            failures.add("a revocation took " + maxRevocationToCutMillis(true)
                    + " ms to cut, not counting HiveMQ's close (limit refresh + 1 s)");
        }
        if (maxDenyToCutMillis(true) > 3000) {
            failures.add("a deny-list entry took " + maxDenyToCutMillis(true)
                    + " ms to cut, not counting HiveMQ's close (limit 3000)");
        }
        if (samplesDisagreeing() > 0) {
            failures.add(samplesDisagreeing() + " samples where tracked records differed from connections");
        }
        if (!drainedToZero()) {
            failures.add("records left once every client had gone: " + drained);
        }
        if (options.seconds() >= 600) {
            // A leak grows; the fleet shrinks as devices are removed, so only growth fails the run, and
            // descriptors are counted without the client sockets.
            for (final String what : List.of(
                    "heap besides the persistence page cache", "threads", "descriptors besides client sockets")) {
                final double[] pair = SoakReport.flatness(
                        this,
                        what.startsWith("heap")
                                ? Sample::heapBesidesCacheBytes
                                : what.equals("threads") ? s -> s.threads() : SoakReport::otherDescriptors);
                if (Double.isNaN(pair[0]) || Double.isNaN(pair[1])) {
                    failures.add(what + " was not measured (see the samples)");
                } else if (pair[1] > 1.05 * pair[0]) {
                    failures.add(what + " grew more than 5%: " + pair[0] + " -> " + pair[1]);
                }
            }
        }
        if (!errorLines.isEmpty()) {
            failures.add(errorLines.size() + " ERROR lines, first: " + errorLines.get(0));
        }
        return failures;
    }

    public boolean passed() {
        return failures().isEmpty();
    }

    String summary() {
        return String.format(
                "soak %s: %d devices, %d s, %d connects, %d lifetime cuts, %d CRL revocations, %d denials,"
                        + " %d spy attempts, %d probes of removed certificates; violations %d; live cut after CRL"
                        + " served max %d ms; revocation to cut max %d ms; deny to cut max %d ms (certguard's own,"
                        + " HiveMQ's close apart); samples"
                        + " disagreeing %d/%d; drained %s; ERROR lines %d%s",
                passed() ? "PASSED" : "FAILED",
                options.devices(),
                options.seconds(),
                connects,
                lifetimeCuts,
                crlRevocations(),
                denials(),
                spyCycles,
                probes,
                violations(),
                maxCutAfterServeMillis(true),
                maxRevocationToCutMillis(true),
                maxDenyToCutMillis(true),
                samplesDisagreeing(),
                samples.size(),
                drainedToZero() ? "to zero" : "NOT to zero",
                errorLines.size(),
                passed() ? "" : "\n  " + String.join("\n  ", failures()));
    }
}
