package dev.certguard.broker.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Commands copied out of the documentation, so a test runs exactly what a reader types: the
 * {@code ```bash} block that follows a marker {@code <!-- FLOW:NAME -->} in a Markdown page, and a
 * working directory in which the page's commands find the packaged launcher where the page says it
 * is. Stateless; thread-safe.
 */
public final class MarkedBlocks {

    private MarkedBlocks() {}

    /** The commands of the block after {@code <!-- flow:name -->}, comment lines skipped, {@code \} lines joined. */
    public static List<String> commands(final Path page, final String flow, final String name) throws IOException {
        final String text = Files.readString(page);
        final String marker = "<!-- " + flow + ":" + name + " -->";
        final int at = text.indexOf(marker);
        assertThat(at).as(page + " marks the block " + marker).isNotNegative();
        final int start = text.indexOf("```bash\n", at) + "```bash\n".length();
        final int end = text.indexOf("\n```", start);
        final List<String> commands = new ArrayList<>();
        final StringBuilder current = new StringBuilder();
        for (final String line : text.substring(start, end).split("\n")) {
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

    /**
     * Makes {@code broker-config/target} in {@code cwd} lead to the built launcher's folder, so the
     * page's {@code java -jar broker-config/target/secure-broker.jar} works from an empty directory.
     */
    public static void linkLauncher(final Path cwd, final Path jar) throws IOException {
        Files.createDirectories(cwd.resolve("broker-config"));
        Files.createSymbolicLink(
                cwd.resolve("broker-config/target"), jar.toAbsolutePath().getParent());
    }

    /** Starts a long-running command of the page in {@code cwd}. */
    public static Process start(final Path cwd, final String command) throws IOException {
        return new ProcessBuilder("bash", "-c", "exec " + command)
                .directory(cwd.toFile())
                .redirectErrorStream(true)
                .start();
    }

    /** Runs one command of the page in {@code cwd} and returns what it printed and its exit code. */
    public static Mosquitto.Result run(final Path cwd, final String command) throws Exception {
        return Mosquitto.run(List.of("bash", "-c", "cd '" + cwd + "' && " + command), Duration.ofSeconds(60));
    }

    /** Runs commands of the page in {@code cwd}, each of which must succeed. */
    public static void runAll(final Path cwd, final List<String> commands) throws Exception {
        for (final String command : commands) {
            final Mosquitto.Result result = run(cwd, command);
            assertThat(result.exitCode()).as(command + "\n" + result.output()).isZero();
        }
    }

    /** The page's literal port must be free: on CI a taken port fails, elsewhere the test is skipped. */
    public static void requireFree(final int port) {
        try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getByName("127.0.0.1"))) {
            socket.setReuseAddress(true);
        } catch (final IOException e) {
            final String reason = "the documented port " + port + " is in use here; the flow runs on it literally";
            if ("true".equals(System.getenv("CI"))) {
                Assertions.fail(reason);
            }
            Assumptions.abort(reason);
        }
    }
}
