package dev.certguard.bench.load;

import dev.certguard.bench.micro.LargeCrl;
import dev.certguard.broker.BrokerHome;
import dev.certguard.broker.HiveMqConfigXml;
import dev.certguard.pki.CertificateAuthority;
import dev.certguard.pki.DevPki;
import dev.certguard.pki.PemFiles;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One command, three brokers, alternating: (a) the secure broker (all three certguard extensions,
 * a 100,000-entry CRL), (b) the same embedded HiveMQ and TLS listener with an allow-all extension,
 * (c) Mosquitto from Debian configured as close as it allows. Prints the table and the ratios and
 * writes them with a chart to the output folder. Run from the repository root after
 * {@code mvn -B -q package -DskipTests}.
 */
public final class Comparison {

    static final String SECURE = "certguard";
    static final String BASELINE = "allow-all";
    static final String MOSQUITTO = "mosquitto";

    private final Path out;
    private final int devices;
    private final Duration warmup;
    private final Duration measure;
    private final int rounds;
    private final List<String> brokers;

    Comparison(
            final Path out,
            final int devices,
            final Duration warmup,
            final Duration measure,
            final int rounds,
            final List<String> brokers) {
        this.brokers = brokers;
        this.out = out;
        this.devices = devices;
        this.warmup = warmup;
        this.measure = measure;
        this.rounds = rounds;
    }

    public static void main(final String[] args) throws Exception {
        Path out = Path.of("benchmarks/target/compare");
        int devices = 200;
        int seconds = 10;
        int rounds = 2;
        String brokers = SECURE + "," + BASELINE + "," + MOSQUITTO;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--out" -> out = Path.of(args[++i]);
                case "--devices" -> devices = Integer.parseInt(args[++i]);
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--brokers" -> brokers = args[++i];
                default ->
                    throw new IllegalArgumentException("unknown option " + args[i]
                            + " (--out DIR --devices N --seconds S --rounds R --brokers certguard,allow-all,mosquitto"
                            + "[,allow-all-suback,allow-all-permissions])");
            }
        }
        new Comparison(
                        out,
                        devices,
                        Duration.ofSeconds(3),
                        Duration.ofSeconds(seconds),
                        rounds,
                        List.of(brokers.split(",")))
                .run();
    }

    void run() throws Exception {
        final Path template = Path.of("broker-config/target/secure-broker-home");
        final Path launcher = Path.of("broker-config/target/secure-broker.jar");
        if (!Files.isDirectory(template) || !Files.isRegularFile(launcher)) {
            throw new IllegalStateException("run from the repository root after 'mvn -B -q package -DskipTests'");
        }
        final String mosquitto = brokers.contains(MOSQUITTO) ? which("mosquitto", "/usr/sbin/mosquitto") : "mosquitto";
        BrokerHome.deleteRecursively(out);
        Files.createDirectories(out.resolve("logs"));

        final DevPki pki = new DevPki(out.resolve("pki"));
        pki.init("certguard bench CA", Duration.ofDays(2), DevPki.LOCAL_HOSTS, false);
        final CertificateAuthority ca = pki.authority();
        final LargeCrl.Generated crl = LargeCrl.generate(ca, 100_000, 42, 1000);
        Files.write(out.resolve("crl-100k.der"), crl.der());
        Files.writeString(
                out.resolve("crl-100k.pem"),
                "-----BEGIN X509 CRL-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(crl.der())
                        + "\n-----END X509 CRL-----\n");
        System.out.printf("issuing %d device certificates%n", devices);
        final List<Device> fleet = new ArrayList<>();
        for (int i = 0; i < devices; i++) {
            fleet.add(Device.issue(ca, String.format("bench:d%05d", i)));
        }
        final Device bridge = Device.issue(ca, "v2k-bridge");
        final int port = freePort();

        final Path secureHome = out.resolve("secure-home");
        BrokerHome.copyRecursively(template, secureHome);
        tlsConfig(pki, port).write(secureHome.resolve("conf/config.xml"));
        Files.writeString(
                secureHome.resolve("extensions/acl-extension/conf/config.xml"),
                """
                <acl-extension><services>
                    <service><identity>v2k-bridge</identity><subscribe>+/attrs</subscribe></service>
                </services></acl-extension>""");
        Files.writeString(
                secureHome.resolve("extensions/crl-extension/conf/config.xml"),
                """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>%s</crl-source></crl-sources>
                </crl-extension>"""
                        .formatted(
                                pki.caCertificate().toAbsolutePath(),
                                out.resolve("crl-100k.der").toAbsolutePath()));

        final Path baselineHome = out.resolve("allow-all-home");
        Files.createDirectories(baselineHome.resolve("extensions"));
        tlsConfig(pki, port).write(baselineHome.resolve("conf/config.xml"));
        Files.copy(
                template.resolve("conf/logback.xml"),
                baselineHome.resolve("conf/logback.xml"),
                StandardCopyOption.REPLACE_EXISTING);

        final Path mosquittoDir = out.resolve("mosquitto");
        Files.createDirectories(mosquittoDir);
        PemFiles.writeCertificates(
                mosquittoDir.resolve("broker.crt"),
                true,
                PemFiles.readCertificates(pki.dir().resolve("broker.crt"))
                        .toArray(new java.security.cert.X509Certificate[0]));
        Files.copy(pki.dir().resolve("broker.key"), mosquittoDir.resolve("broker.key"));
        // Mosquitto started as root drops to its own user, which must read this throwaway benchmark key.
        Files.setPosixFilePermissions(
                mosquittoDir.resolve("broker.key"),
                java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        Files.writeString(
                mosquittoDir.resolve("acl"),
                "user v2k-bridge\ntopic read +/attrs\n\npattern write %u/attrs\npattern read %u/config\n");
        Files.writeString(
                mosquittoDir.resolve("mosquitto.conf"),
                String.join(
                        "\n",
                        "per_listener_settings false",
                        "persistence false",
                        "log_dest stdout",
                        "log_type error",
                        "log_type warning",
                        "listener " + port + " 127.0.0.1",
                        "cafile " + pki.caCertificate().toAbsolutePath(),
                        "certfile " + mosquittoDir.resolve("broker.crt").toAbsolutePath(),
                        "keyfile " + mosquittoDir.resolve("broker.key").toAbsolutePath(),
                        "require_certificate true",
                        "use_identity_as_username true",
                        "tls_version tlsv1.3",
                        "crlfile " + out.resolve("crl-100k.pem").toAbsolutePath(),
                        "acl_file " + mosquittoDir.resolve("acl").toAbsolutePath(),
                        ""));

        final String java =
                Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final String classpath = System.getProperty("java.class.path");
        final Map<String, List<String>> commands = new LinkedHashMap<>();
        commands.put(
                SECURE,
                List.of(
                        java,
                        "-jar",
                        launcher.toAbsolutePath().toString(),
                        "--home",
                        secureHome.toAbsolutePath().toString()));
        commands.put(
                BASELINE,
                List.of(
                        java,
                        "-cp",
                        classpath,
                        AllowAllBroker.class.getName(),
                        baselineHome.toAbsolutePath().toString()));
        commands.put(
                MOSQUITTO,
                List.of(
                        mosquitto,
                        "-c",
                        mosquittoDir.resolve("mosquitto.conf").toAbsolutePath().toString()));
        for (final String variant : List.of("suback", "permissions")) {
            commands.put(
                    BASELINE + "-" + variant,
                    List.of(
                            java,
                            "-cp",
                            classpath,
                            AllowAllBroker.class.getName(),
                            baselineHome.toAbsolutePath().toString(),
                            variant));
        }
        for (final String only : List.of("acl", "crl", "disconnect", "all")) {
            final Path variantHome = out.resolve("only-" + only + "-home");
            BrokerHome.copyRecursively(secureHome, variantHome);
            for (final String id : List.of("acl", "crl", "disconnect")) {
                if (!only.equals("all") && !only.equals(id)) {
                    BrokerHome.deleteRecursively(variantHome.resolve("extensions/" + id + "-extension"));
                }
            }
            commands.put(
                    "only-" + only,
                    List.of(
                            java,
                            "-cp",
                            classpath,
                            AllowAllBroker.class.getName(),
                            variantHome.toAbsolutePath().toString(),
                            only.equals("acl") || only.equals("all") ? "folder" : "plain"));
        }
        commands.keySet().retainAll(brokers);

        final Map<String, List<LoadTool.Result>> results = new LinkedHashMap<>();
        brokers.forEach(name -> results.put(name, new ArrayList<>()));
        // The load generator's own JIT must be warm before the first measured run, or whichever
        // broker comes first is measured against a cold client: one discarded pass first.
        System.out.printf("%n=== warm-up pass (discarded): %s ===%n", brokers.get(0));
        runOnce(brokers.get(0), commands.get(brokers.get(0)), port, fleet, bridge, "warmup");
        for (int round = 1; round <= rounds; round++) {
            // Rotate the order every round, so no broker is always measured first or last.
            final List<String> order = new ArrayList<>(brokers);
            Collections.rotate(order, -(round - 1));
            for (final String name : order) {
                System.out.printf("%n=== round %d of %d: %s ===%n", round, rounds, name);
                results.get(name).add(runOnce(name, commands.get(name), port, fleet, bridge, String.valueOf(round)));
            }
        }
        Report.write(out, results, devices, measure, rounds, Instant.now());
    }

    private LoadTool.Result runOnce(
            final String name,
            final List<String> command,
            final int port,
            final List<Device> fleet,
            final Device bridge,
            final String label)
            throws Exception {
        if (command == null) {
            throw new IllegalArgumentException("unknown broker " + name);
        }
        final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(
                        out.resolve("logs").resolve(name + "-" + label + ".log").toFile())
                .start();
        try {
            awaitPort(port, process, Duration.ofSeconds(120));
            Thread.sleep(1000);
            return new LoadTool("localhost", port, fleet, bridge, warmup, measure).run(name);
        } finally {
            process.toHandle().destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
            }
            awaitPortFree(port);
        }
    }

    private static HiveMqConfigXml tlsConfig(final DevPki pki, final int port) {
        return new HiveMqConfigXml()
                .tlsListener(
                        "tls",
                        "127.0.0.1",
                        port,
                        pki.brokerKeystore().toAbsolutePath(),
                        DevPki.KEYSTORE_PASSWORD,
                        pki.truststore().toAbsolutePath(),
                        DevPki.KEYSTORE_PASSWORD)
                .inMemoryPersistence();
    }

    private static String which(final String program, final String fallback) {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(dir, program))) {
                return Path.of(dir, program).toString();
            }
        }
        if (Files.isExecutable(Path.of(fallback))) {
            return fallback;
        }
        throw new IllegalStateException(program + " is not installed (apt-get install mosquitto)");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void awaitPort(final int port, final Process process, final Duration timeout) throws Exception {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("broker exited with " + process.exitValue() + "; see its log");
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (final IOException notYet) {
                Thread.sleep(200);
            }
        }
        throw new IllegalStateException("broker did not open port " + port);
    }

    private static void awaitPortFree(final int port) throws InterruptedException {
        for (int i = 0; i < 100; i++) {
            try (ServerSocket socket = new ServerSocket()) {
                socket.setReuseAddress(true);
                socket.bind(new InetSocketAddress("127.0.0.1", port));
                return;
            } catch (final IOException busy) {
                Thread.sleep(100);
            }
        }
    }
}
