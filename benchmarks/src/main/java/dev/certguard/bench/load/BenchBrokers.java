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
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The brokers every load benchmark compares, prepared once in an output folder: the secure broker
 * (all three certguard extensions, a CRL of the given size), the same embedded HiveMQ and TLS
 * listener with an allow-all extension, and Mosquitto from Debian with and without that CRL, all on
 * one port with one PKI. Run from the repository root after {@code mvn -B -q package -DskipTests}.
 */
final class BenchBrokers {

    static final String SECURE = "certguard";
    static final String BASELINE = "allow-all";
    static final String MOSQUITTO = "mosquitto";
    static final String MOSQUITTO_NO_CRL = "mosquitto-no-crl";
    /** Names another build's broker home whose extensions run as {@code certguard-before}. */
    static final String BEFORE_PROPERTY = "certguard.bench.before";

    private static final Path TEMPLATE = Path.of("broker-config/target/secure-broker-home");
    private static final Path LAUNCHER = Path.of("broker-config/target/secure-broker.jar");

    private final Path out;
    private final DevPki pki;
    private final CertificateAuthority ca;
    private final int port;
    /** The partition counts of the {@code certguard-p<N>} brokers. */
    private List<Integer> partitions = List.of();

    private BenchBrokers(final Path out, final DevPki pki, final CertificateAuthority ca, final int port) {
        this.out = out;
        this.pki = pki;
        this.ca = ca;
        this.port = port;
    }

    static BenchBrokers prepare(final Path out, final int crlEntries) throws Exception {
        return prepare(out, crlEntries, List.of());
    }

    /**
     * As {@link #prepare(Path, int)}, plus for each count N of {@code partitions} a broker
     * {@code certguard-p<N>} whose crl-extension reads N partition CRL files ({@code crlEntries}
     * entries in all) instead of one complete CRL, each with a critical Issuing Distribution Point
     * naming {@link #partitionUrl(int, int)}; {@link #partitions(int)} gives the names a device
     * certificate carries so that every one of these brokers finds its partition.
     */
    static BenchBrokers prepare(final Path out, final int crlEntries, final List<Integer> partitions) throws Exception {
        if (!Files.isDirectory(TEMPLATE) || !Files.isRegularFile(LAUNCHER)) {
            throw new IllegalStateException("run from the repository root after 'mvn -B -q package -DskipTests'");
        }
        BrokerHome.deleteRecursively(out);
        Files.createDirectories(out.resolve("logs"));

        final DevPki pki = new DevPki(out.resolve("pki"));
        pki.init("certguard bench CA", Duration.ofDays(2), DevPki.LOCAL_HOSTS, false);
        final CertificateAuthority ca = pki.authority();
        final LargeCrl.Generated crl = LargeCrl.generate(ca, crlEntries, 42, 1000);
        Files.write(out.resolve("crl.der"), crl.der());
        Files.writeString(
                out.resolve("crl.pem"),
                "-----BEGIN X509 CRL-----\n"
                        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(crl.der())
                        + "\n-----END X509 CRL-----\n");
        final int port = freePort();

        final Path secureHome = out.resolve("secure-home");
        BrokerHome.copyRecursively(TEMPLATE, secureHome);
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
                                out.resolve("crl.der").toAbsolutePath()));
        for (final int count : partitions) {
            final Path home = out.resolve("partitions-" + count + "-home");
            BrokerHome.copyRecursively(secureHome, home);
            final Path folder =
                    Files.createDirectories(out.resolve("partitions").resolve(Integer.toString(count)));
            final StringBuilder sources = new StringBuilder();
            for (int i = 0; i < count; i++) {
                final Path file = folder.resolve(i + ".crl");
                Files.write(
                        file,
                        LargeCrl.generate(
                                        ca,
                                        Math.max(1, crlEntries / count),
                                        42 + i,
                                        1000,
                                        new byte[0][],
                                        partitionUrl(count, i).toString())
                                .der());
                sources.append("<crl-source>").append(file.toAbsolutePath()).append("</crl-source>\n");
            }
            Files.writeString(
                    home.resolve("extensions/crl-extension/conf/config.xml"),
                    """
                    <crl-extension>
                        <ca-certificates>%s</ca-certificates>
                        <crl-sources>%s</crl-sources>
                    </crl-extension>"""
                            .formatted(pki.caCertificate().toAbsolutePath(), sources));
        }

        // The same secure broker with acl-extension's fleet audit off (issue 26: what the audit costs).
        final Path noAuditHome = out.resolve("secure-no-audit-home");
        BrokerHome.copyRecursively(secureHome, noAuditHome);
        Files.writeString(
                noAuditHome.resolve("extensions/acl-extension/conf/config.xml"),
                """
                <acl-extension><services>
                    <service><identity>v2k-bridge</identity><subscribe>+/attrs</subscribe></service>
                </services>
                <fleet-audit><enabled>false</enabled></fleet-audit></acl-extension>""");

        // The same secure broker with client-certificate OCSP as well (Debian's openssl responder).
        final int ocspPort = freePort();
        final Path ocspHome = out.resolve("secure-ocsp-home");
        BrokerHome.copyRecursively(secureHome, ocspHome);
        Files.writeString(
                ocspHome.resolve("extensions/crl-extension/conf/config.xml"),
                """
                <crl-extension>
                    <ca-certificates>%s</ca-certificates>
                    <crl-sources><crl-source>%s</crl-source></crl-sources>
                    <ocsp>
                        <enabled>true</enabled>
                        <responder-url>http://127.0.0.1:%d/</responder-url>
                        <cache-seconds>3600</cache-seconds>
                    </ocsp>
                </crl-extension>"""
                        .formatted(
                                pki.caCertificate().toAbsolutePath(),
                                out.resolve("crl.der").toAbsolutePath(),
                                ocspPort));
        Files.writeString(out.resolve("ocsp-port"), String.valueOf(ocspPort));

        // certguard-before: another build's extensions (-Dcertguard.bench.before=<its secure-broker-home>)
        // with this run's configuration, so two commits are compared in the same run.
        final String before = System.getProperty(BEFORE_PROPERTY);
        if (before != null) {
            final Path beforeHome = out.resolve("before-home");
            BrokerHome.copyRecursively(secureHome, beforeHome);
            for (final String id : List.of("acl-extension", "crl-extension", "disconnect-extension")) {
                final Path extension = beforeHome.resolve("extensions").resolve(id);
                final String config = Files.readString(extension.resolve("conf/config.xml"));
                BrokerHome.deleteRecursively(extension);
                BrokerHome.copyRecursively(Path.of(before).resolve("extensions").resolve(id), extension);
                Files.writeString(extension.resolve("conf/config.xml"), config);
            }
        }

        final Path baselineHome = out.resolve("allow-all-home");
        Files.createDirectories(baselineHome.resolve("extensions"));
        tlsConfig(pki, port).write(baselineHome.resolve("conf/config.xml"));
        Files.copy(
                TEMPLATE.resolve("conf/logback.xml"),
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
                        "crlfile " + out.resolve("crl.pem").toAbsolutePath(),
                        "acl_file " + mosquittoDir.resolve("acl").toAbsolutePath(),
                        ""));
        Files.writeString(
                mosquittoDir.resolve("mosquitto-no-crl.conf"),
                Files.readString(mosquittoDir.resolve("mosquitto.conf")).replaceAll("(?m)^crlfile .*\\n", ""));

        final BenchBrokers prepared = new BenchBrokers(out, pki, ca, port);
        prepared.partitions = List.copyOf(partitions);
        return prepared;
    }

    /**
     * Starts Debian's {@code openssl ocsp} on the load generator's core, answering "good" for every
     * certificate in {@code dirs} (signed by the CA itself).
     */
    Process startOcspResponder(final List<Path> dirs) throws Exception {
        final java.time.format.DateTimeFormatter time = java.time.format.DateTimeFormatter.ofPattern(
                        "yyMMddHHmmss'Z'", java.util.Locale.ROOT)
                .withZone(java.time.ZoneOffset.UTC);
        final StringBuilder index = new StringBuilder();
        for (final Path dir : dirs) {
            try (var files = Files.list(dir)) {
                for (final Path file :
                        files.filter(f -> f.toString().endsWith(".crt")).toList()) {
                    for (final java.security.cert.X509Certificate certificate : PemFiles.readCertificates(file)) {
                        String serial =
                                certificate.getSerialNumber().toString(16).toUpperCase(java.util.Locale.ROOT);
                        if (serial.length() % 2 == 1) {
                            serial = "0" + serial;
                        }
                        index.append(String.join(
                                        "\t",
                                        "V",
                                        time.format(certificate.getNotAfter().toInstant()),
                                        "",
                                        serial,
                                        "unknown",
                                        certificate.getSubjectX500Principal().getName()))
                                .append('\n');
                    }
                }
            }
        }
        final Path indexFile = out.resolve("ocsp-index.txt");
        Files.writeString(indexFile, index.toString());
        Files.writeString(out.resolve("ocsp-index.txt.attr"), "unique_subject = no\n");
        final Process responder = new ProcessBuilder(
                        "taskset",
                        "-c",
                        "1",
                        "openssl",
                        "ocsp",
                        "-index",
                        indexFile.toString(),
                        "-port",
                        Files.readString(out.resolve("ocsp-port")).trim(),
                        "-CA",
                        pki.caCertificate().toString(),
                        "-rsigner",
                        pki.caCertificate().toString(),
                        "-rkey",
                        pki.caKey().toString(),
                        "-ignore_err")
                .redirectErrorStream(true)
                .redirectOutput(out.resolve("logs").resolve("openssl-ocsp.log").toFile())
                .start();
        Thread.sleep(1000);
        return responder;
    }

    DevPki pki() {
        return pki;
    }

    /** The URL partition {@code index} of {@code count} names in its Issuing Distribution Point. */
    static java.net.URI partitionUrl(final int count, final int index) {
        return java.net.URI.create("http://crl.bench.invalid/" + count + "/" + index + ".crl");
    }

    /** The names device {@code device}'s CRL Distribution Point holds: its partition under each count. */
    List<java.net.URI> partitions(final int device) {
        final List<java.net.URI> names = new ArrayList<>();
        for (final int count : partitions) {
            names.add(partitionUrl(count, device % count));
        }
        return names;
    }

    CertificateAuthority ca() {
        return ca;
    }

    int port() {
        return port;
    }

    /** The Java running this benchmark. */
    static String currentJava() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** The command line of every broker, the HiveMQ ones on {@code java}. */
    Map<String, List<String>> commands(final String java) throws IOException {
        final String classpath = System.getProperty("java.class.path");
        final Map<String, List<String>> commands = new LinkedHashMap<>();
        final String mosquitto = which("mosquitto", "/usr/sbin/mosquitto");
        commands.put(
                SECURE,
                List.of(
                        java,
                        "-jar",
                        LAUNCHER.toAbsolutePath().toString(),
                        "--home",
                        out.resolve("secure-home").toAbsolutePath().toString()));
        for (final int count : partitions) {
            commands.put(
                    SECURE + "-p" + count,
                    List.of(
                            java,
                            "-jar",
                            LAUNCHER.toAbsolutePath().toString(),
                            "--home",
                            out.resolve("partitions-" + count + "-home")
                                    .toAbsolutePath()
                                    .toString()));
        }
        commands.put(
                SECURE + "-no-audit",
                List.of(
                        java,
                        "-jar",
                        LAUNCHER.toAbsolutePath().toString(),
                        "--home",
                        out.resolve("secure-no-audit-home").toAbsolutePath().toString()));
        commands.put(
                SECURE + "-ocsp",
                List.of(
                        java,
                        "-jar",
                        LAUNCHER.toAbsolutePath().toString(),
                        "--home",
                        out.resolve("secure-ocsp-home").toAbsolutePath().toString()));
        commands.put(
                SECURE + "-before",
                List.of(
                        java,
                        "-jar",
                        LAUNCHER.toAbsolutePath().toString(),
                        "--home",
                        out.resolve("before-home").toAbsolutePath().toString()));
        commands.put(
                BASELINE,
                List.of(
                        java,
                        "-cp",
                        classpath,
                        AllowAllBroker.class.getName(),
                        out.resolve("allow-all-home").toAbsolutePath().toString()));
        commands.put(
                MOSQUITTO,
                List.of(
                        mosquitto,
                        "-c",
                        out.resolve("mosquitto")
                                .resolve("mosquitto.conf")
                                .toAbsolutePath()
                                .toString()));
        commands.put(
                MOSQUITTO_NO_CRL,
                List.of(
                        mosquitto,
                        "-c",
                        out.resolve("mosquitto")
                                .resolve("mosquitto-no-crl.conf")
                                .toAbsolutePath()
                                .toString()));
        for (final String variant : List.of("suback", "permissions")) {
            commands.put(
                    BASELINE + "-" + variant,
                    List.of(
                            java,
                            "-cp",
                            classpath,
                            AllowAllBroker.class.getName(),
                            out.resolve("allow-all-home").toAbsolutePath().toString(),
                            variant));
        }
        for (final String only : List.of("acl", "crl", "disconnect", "all")) {
            final Path variantHome = out.resolve("only-" + only + "-home");
            if (!Files.isDirectory(variantHome)) {
                BrokerHome.copyRecursively(out.resolve("secure-home"), variantHome);
            }
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
        // Each JVM broker also as a twin on the JDK's own providers (native crypto off), and as one with
        // native crypto but the JDK's X25519 (the security property that prefers SunEC for XDH), which
        // isolates what CertguardX25519 does to a CONNECT.
        final Path jdkX25519 = out.resolve("jdk-x25519.security");
        Files.writeString(
                jdkX25519,
                "jdk.security.provider.preferred="
                        + String.join(
                                ",",
                                "KeyAgreement.XDH:SunEC",
                                "KeyPairGenerator.XDH:SunEC",
                                "KeyFactory.XDH:SunEC",
                                "KeyAgreement.X25519:SunEC",
                                "KeyPairGenerator.X25519:SunEC",
                                "KeyFactory.X25519:SunEC")
                        + "\n");
        for (final Map.Entry<String, List<String>> entry : new ArrayList<>(commands.entrySet())) {
            if (entry.getValue().get(0).equals(java)) {
                final List<String> jdkOnly = new ArrayList<>(entry.getValue());
                jdkOnly.add(1, "-D" + dev.certguard.crypto.NativeCrypto.SWITCH_PROPERTY + "=off");
                commands.put(entry.getKey() + "-jdkcrypto", jdkOnly);
                final List<String> jdkXdh = new ArrayList<>(entry.getValue());
                jdkXdh.add(1, "-Djava.security.properties=" + jdkX25519.toAbsolutePath());
                commands.put(entry.getKey() + "-jdkx25519", jdkXdh);
            }
        }
        return commands;
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

    /**
     * A free port below Linux's ephemeral range (32768 and up). The load's thousands of client sockets
     * take ephemeral ports, so a port chosen there can be held by one of them by the time a broker
     * restarts on it or the OCSP responder (which binds every address) starts.
     */
    private static int freePort() throws IOException {
        final int first = 20_000;
        final int span = 12_000;
        final int offset = java.util.concurrent.ThreadLocalRandom.current().nextInt(span);
        for (int i = 0; i < span; i++) {
            final int port = first + (offset + i) % span;
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new InetSocketAddress(port));
                return port;
            } catch (final IOException busy) {
                // try the next one
            }
        }
        throw new IOException("no free port between " + first + " and " + (first + span));
    }

    static void awaitPort(final int port, final Process process, final Duration timeout) throws Exception {
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

    static void awaitPortFree(final int port) throws InterruptedException {
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
