package dev.certguard.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.certguard.broker.testing.MarkedBlocks;
import dev.certguard.broker.testing.Mosquitto;
import dev.certguard.broker.testing.OutputLines;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's device in five commands, exactly as the front page shows them: copied out of its two
 * marked blocks and run in an empty directory against the packaged launcher on port 8883. The
 * device is issued, subscribes, publishes, is refused another device's topic and is cut when its
 * certificate is revoked.
 */
class DeviceFlowReadmeIT {

    private static final Path README = Path.of("..", "README.md");
    private static final Path JAR = Path.of(System.getProperty("certguard.launcher.jar", "target/secure-broker.jar"));

    @TempDir
    Path cwd;

    @Test
    void the_five_commands_on_the_front_page_issue_admit_refuse_and_cut_a_device() throws Exception {
        Mosquitto.require();
        MarkedBlocks.requireFree(8883);
        MarkedBlocks.requireFree(9399);
        final List<String> broker = MarkedBlocks.commands(README, "device-flow", "broker");
        final List<String> device = MarkedBlocks.commands(README, "device-flow", "device");
        assertThat(broker).as("one command starts the dev broker").hasSize(1);
        assertThat(device).as("the device flow is five commands").hasSize(5);
        MarkedBlocks.linkLauncher(cwd, JAR);

        final Process launcher = MarkedBlocks.start(cwd, broker.get(0));
        final OutputLines launcherLines = new OutputLines(launcher.getInputStream(), "device-flow-broker");
        Process subscriber = null;
        try {
            assertThat(launcherLines.await("Publish as device", Duration.ofSeconds(90)))
                    .as(launcherLines.output())
                    .isNotNull();

            MarkedBlocks.runAll(cwd, device.subList(0, 1));
            subscriber = MarkedBlocks.start(cwd, device.get(1));
            final OutputLines received = new OutputLines(subscriber.getInputStream(), "device-flow-subscriber");
            Thread.sleep(2000);
            assertThat(subscriber.isAlive())
                    .as("the new device's mosquitto_sub is connected: " + received.output())
                    .isTrue();

            MarkedBlocks.runAll(cwd, device.subList(2, 3));
            final Mosquitto.Result trespass = MarkedBlocks.run(cwd, device.get(3));
            assertThat(trespass.output())
                    .as("publishing to another device's topic is refused: " + device.get(3))
                    .contains("Not authorized");
            assertThat(audit(launcherLines, "connect.accepted", "acme:sensor-1"))
                    .as("the broker admitted the new device: " + launcherLines.output())
                    .isNotEmpty();
            assertThat(audit(launcherLines, "publish.denied", "acme:sensor-1"))
                    .as("the broker audited the refused publish")
                    .anySatisfy(
                            event -> assertThat(event.path("topic").asText()).isEqualTo("admin:a1998e/attrs"));

            MarkedBlocks.runAll(cwd, device.subList(4, 5));
            assertThat(subscriber.waitFor(30, TimeUnit.SECONDS))
                    .as("revoking the device cuts its subscription: " + received.output())
                    .isTrue();
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (audit(launcherLines, "connection.cut", "acme:sensor-1").isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(audit(launcherLines, "connection.cut", "acme:sensor-1"))
                    .as("the broker cut the device because its certificate was revoked: " + launcherLines.output())
                    .anySatisfy(
                            event -> assertThat(event.path("reason").asText()).isEqualTo("revoked"));
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

    /** The audit events the dev broker printed (it prints its audit trail on the console) of one kind and identity. */
    private static List<JsonNode> audit(final OutputLines console, final String event, final String identity)
            throws Exception {
        final ObjectMapper json = new ObjectMapper();
        final List<JsonNode> found = new ArrayList<>();
        for (final String line : console.output().split("\n")) {
            final int at = line.indexOf(" AUDIT {");
            if (at < 0) {
                continue;
            }
            final JsonNode node = json.readTree(line.substring(at + " AUDIT ".length()));
            if (event.equals(node.path("event").asText())
                    && identity.equals(node.path("identity").asText())) {
                found.add(node);
            }
        }
        return found;
    }
}
