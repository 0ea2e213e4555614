package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.broker.testing.LogLineGuard;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.OutputLines;
import dev.certguard.broker.testing.TestBroker;
import dev.certguard.broker.testing.TlsProbe;
import dev.certguard.pki.DevPki;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged launcher, run exactly as the documentation says: {@code java -jar secure-broker.jar}.
 */
class SecureBrokerLauncherIT {

    private static final Path JAR = Path.of(System.getProperty("certguard.launcher.jar", "target/secure-broker.jar"));

    @TempDir
    Path cwd;

    /** A launcher process whose output lines can be awaited. */
    private static final class Launcher implements AutoCloseable {
        final Process process;
        /** A free port for the Prometheus endpoint, so launchers never contend for 9399. */
        final int metricsPort = TestBroker.freePort();

        private final OutputLines lines;
        /** The JDK's own debug output (a JVM option) is not certguard's to judge. */
        private final boolean judged;

        Launcher(final Path cwd, final Map<String, String> env, final String... args) throws IOException {
            this(cwd, env, List.of(), args);
        }

        Launcher(final Path cwd, final Map<String, String> env, final List<String> jvmOptions, final String... args)
                throws IOException {
            judged = jvmOptions.isEmpty();
            final List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(List.of("-jar", JAR.toAbsolutePath().toString()));
            command.addAll(List.of(args));
            if (!List.of(args).contains("--bogus")) {
                command.addAll(List.of("--metrics-port", String.valueOf(metricsPort)));
            }
            final ProcessBuilder builder =
                    new ProcessBuilder(command).directory(cwd.toFile()).redirectErrorStream(true);
            builder.environment().putAll(env);
            process = builder.start();
            lines = new OutputLines(process.getInputStream(), "launcher-output");
        }

        String await(final String text, final Duration timeout) throws InterruptedException {
            return lines.await(text, timeout);
        }

        String lineAfter(final String text, final Duration timeout) throws InterruptedException {
            final String line = lines.lineAfter(text, timeout);
            assertThat(line).as(output()).isNotNull();
            return line;
        }

        String output() {
            return lines.output();
        }

        /** Stops the launcher, then fails if any line it printed held a raw control character or was unbounded. */
        @Override
        public void close() {
            process.destroyForcibly();
            if (!judged) {
                return;
            }
            for (final String line : output().split("\n")) {
                final String problem = LogLineGuard.problem(line);
                if (problem != null) {
                    throw new AssertionError("the launcher printed an unsafe line: " + problem);
                }
            }
        }
    }

    /** Runs the launcher's PKI tool as a user would. */
    private static Mosquitto.Result pki(final String... args) throws Exception {
        final List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                JAR.toAbsolutePath().toString(),
                "pki"));
        command.addAll(List.of(args));
        return Mosquitto.run(command, Duration.ofSeconds(30));
    }

    private Mosquitto.Result shell(final String commandLine) throws Exception {
        return Mosquitto.run(List.of("bash", "-c", "cd '" + cwd + "' && " + commandLine), Duration.ofSeconds(20));
    }

    @Test
    void the_handshake_runs_on_native_crypto_unless_it_is_turned_off() throws Exception {
        Mosquitto.require();
        final String pub = "mosquitto_pub -h localhost -p %d -t admin:a1998e/attrs -m x --cafile dev-pki/ca.crt"
                + " --cert dev-pki/devices/admin/a1998e.crt --key dev-pki/devices/admin/a1998e.key";
        final List<String> jcaTrace = List.of("-Djava.security.debug=provider");
        for (final boolean on : List.of(true, false)) {
            final int port = TestBroker.freePort();
            final String[] args = on
                    ? new String[] {"--port", String.valueOf(port)}
                    : new String[] {"--port", String.valueOf(port), "--no-native-crypto"};
            try (Launcher launcher = new Launcher(cwd, Map.of(), jcaTrace, args)) {
                assertThat(launcher.await("Publish as device admin:a1998e:", Duration.ofSeconds(90)))
                        .as(launcher.output())
                        .isNotNull();
                assertThat(launcher.output())
                        .contains(
                                on
                                        ? "certguard: TLS crypto: AmazonCorrettoCryptoProvider"
                                        : "certguard: TLS crypto: the JDK's providers (native crypto turned off)");
                final int before = launcher.output().length();

                final Mosquitto.Result published = shell(pub.formatted(port));

                assertThat(published.exitCode()).as(published.output()).isZero();
                Thread.sleep(500);
                final String handshake = launcher.output().substring(before);
                // The device's ECDSA certificate and CertificateVerify are checked, the server signs,
                // and the records are encrypted: all by the provider JSSE found first.
                final String provider = on ? "AmazonCorrettoCryptoProvider" : "SunEC";
                assertThat(handshake)
                        .as("on=" + on)
                        .contains("Signature.SHA256withECDSA verification algorithm from: " + provider)
                        .contains("Signature.SHA256withECDSA signing algorithm from: " + provider)
                        .contains("Cipher.AES/GCM/NoPadding, mode: encryption, algorithm from: "
                                + (on ? "AmazonCorrettoCryptoProvider" : "SunJCE"))
                        // mosquitto (OpenSSL) sends an X25519 key share first.
                        .contains("KeyAgreement.XDH algorithm from: " + (on ? "CertguardX25519" : "SunEC"));
            }
        }
    }

    /** Runs a command whose output is too large for a pipe nobody reads, into a file. */
    private static Mosquitto.Result runToFile(final List<String> command, final Path output) throws Exception {
        final Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        final boolean ended = process.waitFor(60, TimeUnit.SECONDS);
        if (!ended) {
            process.destroyForcibly();
        }
        return new Mosquitto.Result(ended ? process.exitValue() : -1, Files.readString(output));
    }

    /**
     * The drop-in recipe: a JVM started as HiveMQ's own start script starts the broker ({@code java
     * $JAVA_OPTS -jar <jar>}, where nothing can be added to the class path), from a jar that holds no
     * certguard or BouncyCastle class, with the agent of the native-crypto zip (unpacked as an operator
     * would) in JAVA_OPTS: the JDK's TLS then takes its signatures from the native provider and X25519
     * from CertguardX25519, both brought by the agent alone; with CERTGUARD_NATIVE_CRYPTO=off, from the JDK.
     */
    @Test
    void the_agent_alone_puts_native_crypto_under_the_tls_of_a_jvm_started_with_java_jar() throws Exception {
        final Path kit = cwd.resolve("kit");
        try (ZipFile zip = new ZipFile(System.getProperty("certguard.native-crypto.zip"))) {
            for (final ZipEntry entry : Collections.list(zip.entries())) {
                final Path target = kit.resolve(entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(zip.getInputStream(entry), target);
                }
            }
        }
        final Path probe = cwd.resolve("probe.jar");
        final Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, TlsProbe.class.getName());
        final String entry = TlsProbe.class.getName().replace('.', '/') + ".class";
        try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(probe), manifest);
                InputStream classFile = TlsProbe.class.getClassLoader().getResourceAsStream(entry)) {
            jar.putNextEntry(new JarEntry(entry));
            classFile.transferTo(jar);
        }
        final DevPki pki = new DevPki(cwd.resolve("probe-pki"));
        pki.init("probe CA", Duration.ofDays(1), DevPki.LOCAL_HOSTS, false);
        final List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-javaagent:" + kit.resolve("certguard-native-crypto/certguard-native-crypto.jar"),
                "-Djava.security.debug=provider",
                "-jar",
                probe.toString(),
                pki.brokerKeystore().toString(),
                pki.truststore().toString(),
                DevPki.KEYSTORE_PASSWORD);

        final Mosquitto.Result on = runToFile(command, cwd.resolve("probe-on.txt"));

        assertThat(on.exitCode()).as(on.output()).isZero();
        assertThat(on.output())
                .contains("certguard: TLS crypto: AmazonCorrettoCryptoProvider 2.5.0 first (native AWS-LC),"
                        + " CertguardX25519 for X25519")
                .contains("tls-probe: handshake done")
                .contains("Signature.SHA256withECDSA signing algorithm from: AmazonCorrettoCryptoProvider")
                .contains("Signature.SHA256withECDSA verification algorithm from: AmazonCorrettoCryptoProvider")
                .contains("KeyAgreement.XDH algorithm from: CertguardX25519");
        final List<String> withoutNative = new ArrayList<>(List.of("env", "CERTGUARD_NATIVE_CRYPTO=off"));
        withoutNative.addAll(command);
        final Mosquitto.Result jdkOnly = runToFile(withoutNative, cwd.resolve("probe-off.txt"));
        assertThat(jdkOnly.output())
                .contains("certguard: TLS crypto: the JDK's providers (native crypto turned off)")
                .contains("tls-probe: handshake done")
                .contains("Signature.SHA256withECDSA verification algorithm from: SunEC")
                .contains("KeyAgreement.XDH algorithm from: SunEC");
    }

    @Test
    void dev_mode_creates_a_pki_and_prints_mosquitto_commands_that_work_over_mutual_tls() throws Exception {
        Mosquitto.require();
        final int port = TestBroker.freePort();
        try (Launcher launcher = new Launcher(cwd, Map.of(), "--port", String.valueOf(port))) {
            final String sub = launcher.lineAfter("Subscribe as device admin:a1998e:", Duration.ofSeconds(90))
                    .trim();
            final String pub = launcher.lineAfter("Publish as device admin:a1998e:", Duration.ofSeconds(5))
                    .trim();
            assertThat(launcher.output()).contains("created a dev PKI");
            assertThat(pub)
                    .startsWith("mosquitto_pub -h localhost -p " + port + " -t admin:a1998e/attrs")
                    .contains(
                            "--cafile dev-pki/ca.crt --cert dev-pki/devices/admin/a1998e.crt --key dev-pki/devices/admin/a1998e.key");
            assertThat(sub).startsWith("mosquitto_sub -h localhost -p " + port + " -t admin:a1998e/config");

            final Process subscriber = new ProcessBuilder("bash", "-c", "cd '" + cwd + "' && exec " + sub + " -d")
                    .redirectErrorStream(true)
                    .start();
            try {
                Thread.sleep(1500);
                final Mosquitto.Result published = shell(pub + " -d");
                assertThat(published.exitCode()).as(published.output()).isZero();
                assertThat(published.output()).contains("received CONNACK (0)");
                assertThat(subscriber.isAlive())
                        .as("the printed mosquitto_sub keeps running beside mosquitto_pub")
                        .isTrue();
            } finally {
                subscriber.destroy();
            }

            final String bridgeSub = launcher.lineAfter(
                            "See every device's data as the bridge v2k-bridge (subscribe +/attrs):",
                            Duration.ofSeconds(5))
                    .trim();
            final String bridgePub = launcher.lineAfter(
                            "Send configuration to the device as the bridge k2v-bridge (publish +/config):",
                            Duration.ofSeconds(5))
                    .trim();
            assertThat(bridgeSub).contains("--cert dev-pki/services/v2k-bridge.crt");
            assertThat(bridgePub).contains("-t admin:a1998e/config").contains("--cert dev-pki/services/k2v-bridge.crt");
            final Process bridge = new ProcessBuilder(
                            "bash", "-c", "cd '" + cwd + "' && exec " + bridgeSub + " -C 1 -W 20")
                    .redirectErrorStream(true)
                    .start();
            final Process device = new ProcessBuilder("bash", "-c", "cd '" + cwd + "' && exec " + sub + " -C 1 -W 20")
                    .redirectErrorStream(true)
                    .start();
            try {
                Thread.sleep(1500);
                assertThat(shell(pub).exitCode()).isZero();
                assertThat(shell(bridgePub).exitCode()).isZero();
                assertThat(bridge.waitFor(20, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
                assertThat(device.waitFor(20, java.util.concurrent.TimeUnit.SECONDS))
                        .isTrue();
                assertThat(new String(bridge.getInputStream().readAllBytes()))
                        .as("the printed v2k-bridge command sees the device's publish")
                        .contains("admin:a1998e/attrs {\"attr_example\": 10 }");
                assertThat(new String(device.getInputStream().readAllBytes()))
                        .as("the printed k2v-bridge command reaches the device's subscription")
                        .contains("{\"config_example\": 1 }");
            } finally {
                bridge.destroy();
                device.destroy();
            }

            assertThat(launcher.output())
                    .contains("Prometheus metrics: http://127.0.0.1:" + launcher.metricsPort + "/metrics");
            final String scraped = new String(java.net
                    .URI
                    .create("http://127.0.0.1:" + launcher.metricsPort + "/metrics")
                    .toURL()
                    .openStream()
                    .readAllBytes());
            assertThat(scraped)
                    .as("the launcher serves certguard's and the JVM's metrics")
                    .containsPattern("(?m)^dev_certguard_acl_extension_connect_accepted [1-9]")
                    .containsPattern("(?m)^dev_certguard_acl_extension_running 1")
                    .contains("jvm_memory_used_bytes{area=\"heap\"}");

            final Mosquitto.Result withoutCertificate = shell(pub.replaceAll(" --cert \\S+ --key \\S+", ""));
            assertThat(withoutCertificate.exitCode())
                    .as("no client certificate: " + withoutCertificate.output())
                    .isNotZero();

            final Mosquitto.Result issued =
                    pki("issue", "acme:dev42", "--dir", cwd.resolve("dev-pki").toString());
            assertThat(issued.exitCode()).as(issued.output()).isZero();
            final Mosquitto.Result newDevice = shell(
                    pub.replace("admin:a1998e", "acme:dev42").replace("devices/admin/a1998e", "devices/acme/dev42"));
            assertThat(newDevice.exitCode()).as(newDevice.output()).isZero();

            final Mosquitto.Result revoke = pki(
                    "revoke",
                    cwd.resolve("dev-pki/devices/acme/dev42.crt").toString(),
                    "--dir",
                    cwd.resolve("dev-pki").toString());
            assertThat(revoke.exitCode()).as(revoke.output()).isZero();
            final long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            Mosquitto.Result afterRevoke = newDevice;
            while (afterRevoke.exitCode() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(500);
                afterRevoke = shell(pub.replace("admin:a1998e", "acme:dev42")
                        .replace("devices/admin/a1998e", "devices/acme/dev42"));
            }
            assertThat(afterRevoke.exitCode())
                    .as("pki revoke takes effect on the running dev broker: " + afterRevoke.output())
                    .isNotZero();
            assertThat(shell(pub).exitCode())
                    .as("the seed device is unaffected")
                    .isZero();

            // SIGTERM through the handle: Process.destroy() would also close our end of its output.
            launcher.process.toHandle().destroy();
            assertThat(launcher.process.waitFor(30, TimeUnit.SECONDS))
                    .as("stops on SIGTERM")
                    .isTrue();
            assertThat(launcher.await("certguard: stopping", Duration.ofSeconds(5)))
                    .as(launcher.output())
                    .isNotNull();
        }

        try (Launcher again = new Launcher(cwd, Map.of(), "--port", String.valueOf(port))) {
            assertThat(again.await("Publish as device", Duration.ofSeconds(90)))
                    .as(again.output())
                    .isNotNull();
            assertThat(again.output()).as("the existing dev PKI is reused").doesNotContain("created a dev PKI");
        }
    }

    private Path operatorHome(final DevPki pki, final int port) throws Exception {
        final Path home = cwd.resolve("hivemq-home");
        BrokerHome.copyRecursively(BrokerHome.template().dir(), home);
        final Path config = home.resolve("conf/config.xml");
        Files.writeString(
                config,
                Files.readString(config)
                        .replace("<port>8883</port>", "<port>" + port + "</port>")
                        .replace("<bind-address>0.0.0.0</bind-address>", "<bind-address>127.0.0.1</bind-address>"));
        Files.writeString(home.resolve("extensions/crl-extension/conf/config.xml"), TestBroker.crlConfig(pki));
        return home;
    }

    private static Map<String, String> storesEnv(final DevPki pki) {
        return Map.of(
                "CERTGUARD_KEYSTORE",
                pki.brokerKeystore().toString(),
                "CERTGUARD_KEYSTORE_PASSWORD",
                DevPki.KEYSTORE_PASSWORD,
                "CERTGUARD_TRUSTSTORE",
                pki.truststore().toString(),
                "CERTGUARD_TRUSTSTORE_PASSWORD",
                DevPki.KEYSTORE_PASSWORD);
    }

    @Test
    void home_mode_runs_the_operator_template_with_its_folder_extensions() throws Exception {
        Mosquitto.require();
        final DevPki pki = new DevPki(cwd.resolve("pki"));
        pki.init("operator CA", Duration.ofDays(1), DevPki.LOCAL_HOSTS, false);
        final DevPki.Issued device = pki.issueDevice("acme:pump7", Duration.ofDays(1), false);
        final int port = TestBroker.freePort();
        final Path home = operatorHome(pki, port);

        try (Launcher launcher = new Launcher(cwd, storesEnv(pki), "--home", home.toString())) {
            assertThat(launcher.await("certguard secure broker running from", Duration.ofSeconds(90)))
                    .as(launcher.output())
                    .isNotNull();
            assertThat(launcher.await(
                            "certguard: running on Java " + System.getProperty("java.version"), Duration.ofSeconds(1)))
                    .as("the launcher names the Java it runs on")
                    .isNotNull();

            final Mosquitto.Result published = Mosquitto.pub(
                    port,
                    List.of(
                            "-t",
                            "acme:pump7/attrs",
                            "-m",
                            "1",
                            "--cafile",
                            pki.caCertificate().toString(),
                            "--cert",
                            device.certificate().toString(),
                            "--key",
                            device.key().toString()));
            assertThat(published.exitCode()).as(published.output()).isZero();
            assertThat(Files.exists(cwd.resolve("dev-pki")))
                    .as("no dev PKI in --home mode")
                    .isFalse();
        }
    }

    @Test
    void home_mode_refuses_to_start_when_an_extension_folder_is_broken() throws Exception {
        final DevPki pki = new DevPki(cwd.resolve("pki"));
        pki.init("operator CA", Duration.ofDays(1), DevPki.LOCAL_HOSTS, false);
        final Path home = operatorHome(pki, TestBroker.freePort());
        Files.delete(home.resolve("extensions/acl-extension/hivemq-extension.xml"));

        try (Launcher launcher = new Launcher(cwd, storesEnv(pki), "--home", home.toString())) {
            assertThat(launcher.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.process.exitValue()).isEqualTo(1);
            assertThat(launcher.output())
                    .contains("certguard: refusing to serve")
                    .contains("acl-extension: " + home.resolve("extensions/acl-extension/hivemq-extension.xml")
                            + " is missing");
        }
    }

    @Test
    void home_mode_refuses_to_start_when_an_extension_configuration_is_invalid() throws Exception {
        final DevPki pki = new DevPki(cwd.resolve("pki"));
        pki.init("operator CA", Duration.ofDays(1), DevPki.LOCAL_HOSTS, false);
        final Path home = operatorHome(pki, TestBroker.freePort());
        Files.writeString(
                home.resolve("extensions/acl-extension/conf/config.xml"),
                "<acl-extension><services><service><identity>${BRIDGE_NAME}</identity></service></services></acl-extension>");

        try (Launcher launcher = new Launcher(cwd, storesEnv(pki), "--home", home.toString())) {
            assertThat(launcher.process.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.process.exitValue()).isEqualTo(1);
            assertThat(launcher.output())
                    .contains("acl-extension: failed: invalid configuration")
                    .contains("${BRIDGE_NAME} but that environment variable is not set");
        }
    }

    @Test
    void home_mode_refuses_to_start_when_hivemq_would_ignore_its_configuration() throws Exception {
        final DevPki pki = new DevPki(cwd.resolve("pki"));
        pki.init("operator CA", Duration.ofDays(1), DevPki.LOCAL_HOSTS, false);
        final Path home = operatorHome(pki, TestBroker.freePort());

        try (Launcher launcher = new Launcher(
                cwd, Map.of("CERTGUARD_KEYSTORE", pki.brokerKeystore().toString()), "--home", home.toString())) {
            assertThat(launcher.process.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.process.exitValue()).isEqualTo(1);
            assertThat(launcher.output())
                    .contains(
                            "uses ${ENV:CERTGUARD_TRUSTSTORE} but the environment variable CERTGUARD_TRUSTSTORE is not set");
        }
    }

    @Test
    void home_mode_refuses_to_serve_when_the_tls_listener_cannot_start() throws Exception {
        final DevPki pki = new DevPki(cwd.resolve("pki"));
        pki.init("operator CA", Duration.ofDays(1), DevPki.LOCAL_HOSTS, false);
        final int port = TestBroker.freePort();
        final Path home = operatorHome(pki, port);
        final Map<String, String> env = new java.util.HashMap<>(storesEnv(pki));
        env.put("CERTGUARD_KEYSTORE_PASSWORD", "wrong-password");

        try (Launcher launcher = new Launcher(cwd, env, "--home", home.toString())) {
            assertThat(launcher.process.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.process.exitValue()).isEqualTo(1);
            assertThat(launcher.output())
                    .contains("certguard: refusing to serve")
                    .contains("Not able to open or read KeyStore")
                    .contains("HiveMQ did not start");
            assertThat(portIsClosed(port)).isTrue();
        }
    }

    private static boolean portIsClosed(final int port) {
        try (java.net.Socket ignored = new java.net.Socket("127.0.0.1", port)) {
            return false;
        } catch (final IOException e) {
            return true;
        }
    }

    @Test
    void bad_arguments_exit_2_with_usage() throws Exception {
        try (Launcher launcher = new Launcher(cwd, Map.of(), "--bogus")) {
            assertThat(launcher.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(launcher.process.exitValue()).isEqualTo(2);
            assertThat(launcher.output()).contains("usage: java -jar secure-broker.jar");
        }
    }
}
