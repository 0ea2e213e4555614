package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.certguard.broker.testing.MarkedBlocks;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.OutputLines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The seed's device flow exactly as docs/pki.md shows it: the three marked command blocks are copied
 * out of the page and run line by line in an empty directory, against the packaged launcher on the
 * page's port 8883.
 */
class SeedFlowDocsIT {

    private static final Path PAGE = Path.of("..", "docs", "pki.md");
    private static final Path JAR = Path.of(System.getProperty("certguard.launcher.jar", "target/secure-broker.jar"));
    private static final int PORT = 8883;
    private static final int METRICS_PORT = 9399;

    @TempDir
    Path cwd;

    @Test
    void the_seeds_commands_in_the_pki_page_run_verbatim_against_the_dev_broker() throws Exception {
        Mosquitto.require();
        MarkedBlocks.requireFree(PORT);
        MarkedBlocks.requireFree(METRICS_PORT);
        final List<String> broker = MarkedBlocks.commands(PAGE, "seed-flow", "broker");
        final List<String> device = MarkedBlocks.commands(PAGE, "seed-flow", "device");
        final List<String> others = MarkedBlocks.commands(PAGE, "seed-flow", "others");
        assertThat(String.join("\n", device))
                .as("the seed's own commands, word for word")
                .contains("openssl genrsa -out client.key 2048")
                .contains("openssl req -new -sha256 -out client.csr -key client.key "
                        + "  -addext \"subjectAltName = DNS:myhost\" "
                        + "  -addext \"keyUsage = Digital Signature, Non Repudiation, Key Encipherment\" "
                        + "  -addext \"basicConstraints = CA:FALSE\" -subj \"/CN=admin:a1998e\"")
                .contains("--cert client.crt --key client.key --cafile root.crt");
        MarkedBlocks.linkLauncher(cwd, JAR);

        MarkedBlocks.runAll(cwd, broker.subList(0, broker.size() - 1));
        final Process launcher = MarkedBlocks.start(cwd, broker.get(broker.size() - 1));
        final OutputLines launcherLines = new OutputLines(launcher.getInputStream(), "seed-flow-broker");
        Process subscriber = null;
        try {
            assertThat(launcherLines.await("Publish as device", Duration.ofSeconds(90)))
                    .as(launcherLines.output())
                    .isNotNull();
            assertThat(launcherLines.output()).contains("127.0.0.1:" + PORT);

            MarkedBlocks.runAll(cwd, device.subList(0, device.size() - 1));
            subscriber = MarkedBlocks.start(cwd, device.get(device.size() - 1));
            final OutputLines received = new OutputLines(subscriber.getInputStream(), "seed-flow-subscriber");
            Thread.sleep(2000);
            assertThat(subscriber.isAlive())
                    .as("the device's mosquitto_sub is connected: " + received.output())
                    .isTrue();

            MarkedBlocks.runAll(cwd, others.subList(0, 2));
            assertThat(received.await("{\"config_example\": 1 }", Duration.ofSeconds(10)))
                    .as("the bridge's configuration reaches the device: " + received.output())
                    .isNotNull();
            assertThat(launcherLines.output())
                    .as("the broker admitted the CSR-signed device")
                    .contains("admin:a1998e");

            MarkedBlocks.runAll(cwd, others.subList(2, others.size()));
            assertThat(subscriber.waitFor(30, TimeUnit.SECONDS))
                    .as("revoking client.crt cuts the device's subscription: " + received.output())
                    .isTrue();

            // The dev broker loads the root's CRL too: revoking the issuing CA refuses what it issued.
            final String otherDevice = "mosquitto_pub -h localhost -p " + PORT
                    + " -t admin:a1998e/attrs -m x --cafile root.crt"
                    + " --cert dev-pki/devices/admin/a1998e.crt --key dev-pki/devices/admin/a1998e.key";
            MarkedBlocks.runAll(cwd, List.of(otherDevice));
            MarkedBlocks.runAll(
                    cwd, List.of("java -jar broker-config/target/secure-broker.jar pki revoke dev-pki/ca.crt"));
            final long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            Mosquitto.Result refused;
            do {
                Thread.sleep(500);
                refused = MarkedBlocks.run(cwd, otherDevice);
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
