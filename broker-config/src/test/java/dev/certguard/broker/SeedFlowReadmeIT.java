package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.OutputLines;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's device flow exactly as README.md shows it: the three marked command blocks are copied
 * out of the README and run line by line in an empty directory, against the packaged launcher on
 * the README's port 8883.
 */
class SeedFlowReadmeIT {

    private static final Path README = Path.of("..", "README.md");
    private static final Path JAR = Path.of(System.getProperty("certguard.launcher.jar", "target/secure-broker.jar"));
    private static final int README_PORT = 8883;
    private static final int README_METRICS_PORT = 9399;

    @TempDir
    Path cwd;

    /** The commands of the fenced block after {@code <!-- seed-flow:NAME -->}, continuation lines joined. */
    static List<String> commands(final String readme, final String name) {
        final int marker = readme.indexOf("<!-- seed-flow:" + name + " -->");
        assertThat(marker).as("README.md marks the block seed-flow:" + name).isNotNegative();
        final int start = readme.indexOf("```bash\n", marker) + "```bash\n".length();
        final int end = readme.indexOf("\n```", start);
        final List<String> commands = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (final String line : readme.substring(start, end).split("\n")) {
            if (current.length() == 0 && (line.isBlank() || line.startsWith("#"))) {
                continue;
            }
            if (line.endsWith("\\")) {
                current.append(line, 0, line.length() - 1);
                continue;
            }
            commands.add(current.append(line).toString().trim());
            current.setLength(0);
        }
        return commands;
    }

    private Process start(final String command) throws IOException {
        return new ProcessBuilder("bash", "-c", "exec " + command)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .start();
    }

    private void runAll(final List<String> commands) throws Exception {
        for (final String command : commands) {
            final Mosquitto.Result result =
                    Mosquitto.run(List.of("bash", "-c", "cd '" + cwd + "' && " + command), Duration.ofSeconds(60));
            assertThat(result.exitCode()).as(command + "\n" + result.output()).isZero();
        }
    }

    private static void requireFree(final int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
        } catch (final IOException e) {
            final String reason = "the README's port " + port + " is in use here; the seed flow runs on it literally";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(reason);
            }
            Assumptions.abort(reason);
        }
    }

    @Test
    void the_seeds_commands_in_the_readme_run_verbatim_against_the_dev_broker() throws Exception {
        Mosquitto.require();
        requireFree(README_PORT);
        requireFree(README_METRICS_PORT);
        final String readme = Files.readString(README);
        final List<String> broker = commands(readme, "broker");
        final List<String> device = commands(readme, "device");
        final List<String> others = commands(readme, "others");
        assertThat(String.join("\n", device))
                .as("the seed's own commands, word for word")
                .contains("openssl genrsa -out client.key 2048")
                .contains("openssl req -new -sha256 -out client.csr -key client.key "
                        + "  -addext \"subjectAltName = DNS:myhost\" "
                        + "  -addext \"keyUsage = Digital Signature, Non Repudiation, Key Encipherment\" "
                        + "  -addext \"basicConstraints = CA:FALSE\" -subj \"/CN=admin:a1998e\"")
                .contains("--cert client.crt --key client.key --cafile root.crt");
        // The README's jar path, relative to the empty directory: the build's own target folder.
        Files.createDirectories(cwd.resolve("broker-config"));
        Files.createSymbolicLink(
                cwd.resolve("broker-config/target"), JAR.toAbsolutePath().getParent());

        runAll(broker.subList(0, broker.size() - 1));
        final Process launcher = start(broker.get(broker.size() - 1));
        final OutputLines launcherLines = new OutputLines(launcher.getInputStream(), "seed-flow-broker");
        Process subscriber = null;
        try {
            assertThat(launcherLines.await("Publish as device", Duration.ofSeconds(90)))
                    .as(launcherLines.output())
                    .isNotNull();
            assertThat(launcherLines.output()).contains("127.0.0.1:" + README_PORT);

            runAll(device.subList(0, device.size() - 1));
            subscriber = start(device.get(device.size() - 1));
            final OutputLines received = new OutputLines(subscriber.getInputStream(), "seed-flow-subscriber");
            Thread.sleep(2000);
            assertThat(subscriber.isAlive())
                    .as("the device's mosquitto_sub is connected: " + received.output())
                    .isTrue();

            runAll(others.subList(0, 2));
            assertThat(received.await("{\"config_example\": 1 }", Duration.ofSeconds(10)))
                    .as("the bridge's configuration reaches the device: " + received.output())
                    .isNotNull();
            assertThat(launcherLines.output())
                    .as("the broker admitted the CSR-signed device")
                    .contains("admin:a1998e");

            runAll(others.subList(2, others.size()));
            assertThat(subscriber.waitFor(30, TimeUnit.SECONDS))
                    .as("revoking client.crt cuts the device's subscription: " + received.output())
                    .isTrue();

            // The dev broker loads the root's CRL too: revoking the issuing CA refuses what it issued.
            final String otherDevice = "mosquitto_pub -h localhost -p " + README_PORT
                    + " -t admin:a1998e/attrs -m x --cafile root.crt"
                    + " --cert dev-pki/devices/admin/a1998e.crt --key dev-pki/devices/admin/a1998e.key";
            runAll(List.of(otherDevice));
            runAll(List.of("java -jar broker-config/target/secure-broker.jar pki revoke dev-pki/ca.crt"));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Mosquitto.Result refused;
            do {
                Thread.sleep(500);
                refused = Mosquitto.run(
                        List.of("bash", "-c", "cd '" + cwd + "' && " + otherDevice), Duration.ofSeconds(20));
            } while (refused.exitCode() == 0 && System.nanoTime() < deadline);
            assertThat(refused.exitCode())
                    .as("a device of the revoked issuing CA is refused: " + refused.output())
                    .isNotZero();
            assertThat(refused.output()).containsIgnoringCase("not authori");
        } finally {
            if (subscriber != null) {
                subscriber.destroyForcibly();
            }
            launcher.toHandle().destroy();
            if (!launcher.waitFor(30, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
        }
    }
}
