package dev.certguard.bench.soak;

/**
 * One look at the broker during a soak. {@code agreed} says whether HiveMQ's open connections and
 * the three extensions' tracked records were equal in one scrape (several scrapes are tried a few
 * milliseconds apart, since a connection opening or closing between two gauges is not a leak);
 * {@code storm} marks samples taken while the fleet reconnects en masse (between a SIGKILL and the
 * return of 95% of the fleet, or while no CRL is usable and every CONNECT is refused, until 95% are
 * back); {@code heapAfterGcBytes} (the live heap after a full GC) and
 * {@code persistenceCacheBytes} (the part of it that is HiveMQ's persistence page cache) are NaN when
 * no GC was forced for this sample;
 * {@code sessions} counts HiveMQ's sessions, connected and offline (what its persistence holds). Immutable.
 */
record Sample(
        double seconds,
        int driverConnected,
        int connections,
        int aclTracked,
        int crlTracked,
        int disconnectTracked,
        int clientIdsTracked,
        boolean agreed,
        int scrapes,
        boolean storm,
        double heapAfterGcBytes,
        double persistenceCacheBytes,
        int threads,
        long fileDescriptors,
        int errorLines,
        int crlEntries,
        int revocations,
        double brokerCpuSeconds,
        double driverCpuSeconds,
        int sessions) {

    static final String CSV_HEADER = "seconds,driver_connected,hivemq_connections,acl_tracked,crl_tracked,"
            + "disconnect_tracked,client_ids_tracked,agreed,scrapes,storm,heap_after_gc_bytes,persistence_cache_bytes,"
            + "threads,fds,error_lines,"
            + "crl_entries,revocations,broker_cpu_seconds,driver_cpu_seconds,hivemq_sessions";

    /** The live heap besides HiveMQ's persistence page cache (NaN when not measured). */
    double heapBesidesCacheBytes() {
        return heapAfterGcBytes - persistenceCacheBytes;
    }

    String csv() {
        return String.join(
                ",",
                String.format(java.util.Locale.ROOT, "%.1f", seconds),
                String.valueOf(driverConnected),
                String.valueOf(connections),
                String.valueOf(aclTracked),
                String.valueOf(crlTracked),
                String.valueOf(disconnectTracked),
                String.valueOf(clientIdsTracked),
                String.valueOf(agreed),
                String.valueOf(scrapes),
                String.valueOf(storm),
                Double.isNaN(heapAfterGcBytes) ? "" : String.valueOf((long) heapAfterGcBytes),
                Double.isNaN(persistenceCacheBytes) ? "" : String.valueOf((long) persistenceCacheBytes),
                String.valueOf(threads),
                String.valueOf(fileDescriptors),
                String.valueOf(errorLines),
                String.valueOf(crlEntries),
                String.valueOf(revocations),
                String.format(java.util.Locale.ROOT, "%.2f", brokerCpuSeconds),
                String.format(java.util.Locale.ROOT, "%.2f", driverCpuSeconds),
                String.valueOf(sessions));
    }
}
