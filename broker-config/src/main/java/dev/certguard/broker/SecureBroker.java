package dev.certguard.broker;

import dev.certguard.crypto.NativeCrypto;
import dev.certguard.pki.PkiCli;
import dev.certguard.pki.PkiException;
import dev.certguard.text.UntrustedText;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar secure-broker.jar}: with no arguments, a dev PKI and a mutual-TLS HiveMQ with all
 * three certguard extensions; with {@code --home DIR}, an operator's HiveMQ home; with {@code pki},
 * the dev PKI tool. Exits non-zero, naming the extension and the reason, when certguard cannot
 * protect the broker.
 */
public final class SecureBroker {

    static final String USAGE = String.join(
            "\n",
            "usage: java -jar secure-broker.jar                 dev broker on 127.0.0.1:8883 with ./dev-pki",
            "       java -jar secure-broker.jar --port N        the same on another port",
            "       java -jar secure-broker.jar --home DIR      run DIR/conf/config.xml with DIR/extensions/",
            "       options: --metrics-port N (default 9399, 0 turns the Prometheus endpoint off)",
            "                --metrics-bind ADDR (default 127.0.0.1)",
            "                --no-native-crypto (TLS on the JDK's own providers; also CERTGUARD_NATIVE_CRYPTO=off)",
            "       java -jar secure-broker.jar pki ...         dev PKI tool (pki --help)");

    private SecureBroker() {}

    public static void main(final String[] args) {
        System.exit(run(Arrays.asList(args)));
    }

    static int run(final List<String> args) {
        if (!args.isEmpty() && args.get(0).equals("pki")) {
            return new PkiCli(System.out, System.err).run(args.subList(1, args.size()));
        }
        Path homeDir = null;
        int port = 8883;
        int metricsPort = MetricsEndpoint.DEFAULT_PORT;
        String metricsBind = MetricsEndpoint.DEFAULT_BIND;
        boolean nativeCrypto = NativeCrypto.wantedHere();
        for (int i = 0; i < args.size(); i++) {
            final String option = args.get(i);
            if (option.equals("--help") || option.equals("-h")) {
                System.out.println(USAGE);
                return 0;
            }
            if (option.equals(NativeCrypto.SWITCH_OPTION)) {
                nativeCrypto = false;
                continue;
            }
            final String value = i + 1 < args.size() ? args.get(++i) : null;
            if (option.equals("--home") && value != null) {
                homeDir = Path.of(value);
            } else if (option.equals("--port") && value != null && parsePort(value) > 0) {
                port = parsePort(value);
            } else if (option.equals("--metrics-port")
                    && value != null
                    && (value.equals("0") || parsePort(value) > 0)) {
                metricsPort = value.equals("0") ? 0 : parsePort(value);
            } else if (option.equals("--metrics-bind") && value != null && !value.isBlank()) {
                metricsBind = value;
            } else {
                System.err.println("certguard: bad arguments " + args);
                System.err.println(USAGE);
                return 2;
            }
        }
        final Path cwd = Path.of("").toAbsolutePath();
        System.out.println(JavaRuntime.runtimeLine());
        // Before HiveMQ builds its TLS context: JSSE picks providers in the list's order.
        System.out.println(NativeCrypto.install(nativeCrypto));
        final BrokerHome home;
        final String instructions;
        try {
            if (homeDir != null) {
                if (!Files.isDirectory(homeDir)) {
                    System.err.println("certguard: refusing to start: --home " + homeDir + " is not a directory");
                    return 1;
                }
                home = new BrokerHome(homeDir.toAbsolutePath());
                instructions = "certguard secure broker running from " + home.dir() + " (listeners as in "
                        + home.configFile() + "; Ctrl-C stops it)";
            } else {
                final DevBroker dev = new DevBroker(cwd, port);
                if (dev.prepare(BrokerHome.template())) {
                    System.out.println(
                            "certguard: created a dev PKI in " + dev.pki().dir());
                }
                home = dev.home();
                instructions = dev.instructions(cwd);
            }
        } catch (final IOException | PkiException e) {
            System.err.println("certguard: refusing to start: " + e.getMessage());
            return 1;
        }
        final EmbeddedBroker broker;
        try {
            broker = EmbeddedBroker.start(home, Duration.ofSeconds(120));
        } catch (final BrokerStartException e) {
            System.err.println("certguard: refusing to serve; the broker is stopped:");
            // A problem can quote an extension's status, which can quote a configuration file.
            e.problems()
                    .forEach(problem -> System.err.println(
                            "  - " + UntrustedText.neutralise(problem, UntrustedText.MAX_LOG_ARGUMENT)));
            return 1;
        }
        MetricsEndpoint metrics = null;
        if (metricsPort > 0) {
            try {
                metrics = MetricsEndpoint.start(broker.metrics(), metricsBind, metricsPort);
            } catch (final IOException | RuntimeException e) {
                broker.close();
                System.err.println("certguard: refusing to start: cannot serve metrics on " + metricsBind + ":"
                        + metricsPort + " (" + e.getMessage()
                        + "); choose another --metrics-port, or 0 to turn the endpoint off");
                return 1;
            }
        }
        final MetricsEndpoint endpoint = metrics;
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            System.out.println("certguard: stopping");
                            if (endpoint != null) {
                                endpoint.close();
                            }
                            broker.close();
                            stopped.countDown();
                        },
                        "certguard-shutdown"));
        if (endpoint != null) {
            System.out.println(
                    "Prometheus metrics: http://" + hostForUrl(metricsBind) + ":" + endpoint.port() + "/metrics");
        }
        System.out.println(instructions);
        System.out.flush();
        try {
            stopped.await();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String hostForUrl(final String bind) {
        return bind.contains(":") && !bind.startsWith("[") ? "[" + bind + "]" : bind;
    }

    private static int parsePort(final String text) {
        try {
            final int port = Integer.parseInt(text);
            return port > 0 && port < 65536 ? port : -1;
        } catch (final NumberFormatException e) {
            return -1;
        }
    }
}
