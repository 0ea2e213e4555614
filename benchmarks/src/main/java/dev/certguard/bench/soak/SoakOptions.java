package dev.certguard.bench.soak;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one soak run does. Defaults are the full run ({@code --devices 2000 --minutes 30}); every
 * value can be given as {@code --name value}. Immutable.
 *
 * @param restartAtSeconds when the broker is SIGKILLed and restarted; negative: never
 * @param outageAtSeconds when the CRL server leaves its port; negative: never
 * @param outageSeconds how long it stays away (longer than {@code crlValiditySeconds} exercises
 *     {@code when-unavailable})
 */
public record SoakOptions(
        Path out,
        Path repo,
        int devices,
        int seconds,
        int lifetimeSeconds,
        int jitterPercent,
        int refreshSeconds,
        int httpTimeoutSeconds,
        int crlValiditySeconds,
        int revokeEverySeconds,
        int denyEverySeconds,
        int publishEverySeconds,
        int sampleEverySeconds,
        int gcEverySeconds,
        double chaosShare,
        int restartAtSeconds,
        int outageAtSeconds,
        int outageSeconds,
        boolean pin) {

    static final String USAGE = "usage: soak [--devices 2000] [--minutes 30 | --seconds S] [--lifetime 30]"
            + " [--jitter 20] [--refresh 5] [--http-timeout 2] [--crl-validity 60] [--revoke-every 10]"
            + " [--deny-every 10] [--publish-every 10] [--sample-every 10] [--gc-every 60] [--chaos 0.3]"
            + " [--restart-at S|-1] [--outage-at S|-1] [--outage 90] [--pin true] [--out DIR] [--repo DIR]";

    public static SoakOptions parse(final String... args) {
        final Map<String, String> given = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException(USAGE);
            }
            given.put(args[i].substring(2), args[++i]);
        }
        final int seconds = given.containsKey("seconds")
                ? Integer.parseInt(given.remove("seconds"))
                : 60 * Integer.parseInt(given.getOrDefault("minutes", "30"));
        given.remove("minutes");
        final SoakOptions options = new SoakOptions(
                Path.of(given.getOrDefault("out", "benchmarks/target/soak")),
                Path.of(given.getOrDefault("repo", ".")),
                number(given, "devices", 2000),
                seconds,
                number(given, "lifetime", 30),
                number(given, "jitter", 20),
                number(given, "refresh", 5),
                number(given, "http-timeout", 2),
                number(given, "crl-validity", 60),
                number(given, "revoke-every", 10),
                number(given, "deny-every", 10),
                number(given, "publish-every", 10),
                number(given, "sample-every", 10),
                number(given, "gc-every", 60),
                Double.parseDouble(given.getOrDefault("chaos", "0.3")),
                number(given, "restart-at", Math.min(180, seconds / 3)),
                number(given, "outage-at", seconds / 2),
                number(given, "outage", 90),
                Boolean.parseBoolean(given.getOrDefault("pin", "true")));
        for (final String known : new String[] {
            "out",
            "repo",
            "devices",
            "lifetime",
            "jitter",
            "refresh",
            "http-timeout",
            "crl-validity",
            "revoke-every",
            "deny-every",
            "publish-every",
            "sample-every",
            "gc-every",
            "chaos",
            "restart-at",
            "outage-at",
            "outage",
            "pin"
        }) {
            given.remove(known);
        }
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("unknown options " + given.keySet() + "\n" + USAGE);
        }
        return options;
    }

    private static int number(final Map<String, String> given, final String name, final int fallback) {
        return Integer.parseInt(given.getOrDefault(name, String.valueOf(fallback)));
    }

    /** The command line that repeats this run. */
    String commandLine() {
        return "java -jar benchmarks/target/benchmarks.jar soak --devices " + devices + " --seconds " + seconds
                + " --lifetime " + lifetimeSeconds + " --jitter " + jitterPercent + " --refresh " + refreshSeconds
                + " --http-timeout " + httpTimeoutSeconds + " --crl-validity " + crlValiditySeconds
                + " --revoke-every " + revokeEverySeconds + " --deny-every " + denyEverySeconds
                + " --publish-every " + publishEverySeconds + " --sample-every " + sampleEverySeconds
                + " --gc-every " + gcEverySeconds + " --chaos " + chaosShare + " --restart-at " + restartAtSeconds
                + " --outage-at " + outageAtSeconds + " --outage " + outageSeconds + " --pin " + pin;
    }
}
