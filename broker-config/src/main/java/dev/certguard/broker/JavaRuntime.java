package dev.certguard.broker;

/**
 * What the launcher says about the Java it runs on. HiveMQ does its TLS in the JDK (never OpenSSL),
 * so the JDK decides the cost of every handshake: measured on this project's 2-core machine, JDK 25
 * does about twice the full mutual-TLS handshakes per core of JDK 17 (BENCHMARKS.md). Stateless.
 */
final class JavaRuntime {

    /** The first JDK whose TLS handshakes certguard measured at about twice JDK 17's rate. */
    static final int RECOMMENDED_FEATURE = 25;

    private JavaRuntime() {}

    static String runtimeLine() {
        final int feature = java.lang.Runtime.version().feature();
        final String line = "certguard: running on Java " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.name") + ", " + System.getProperty("java.vendor") + ")";
        return feature >= RECOMMENDED_FEATURE
                ? line
                : line + "; Java " + RECOMMENDED_FEATURE
                        + "+ does about twice the TLS handshakes per core (see BENCHMARKS.md), run the broker on it where you can";
    }
}
