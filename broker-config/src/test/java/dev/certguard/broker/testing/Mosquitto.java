package dev.certguard.broker.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the real {@code mosquitto_pub} and {@code mosquitto_sub}. Where they are not installed the
 * test is skipped with a reason, except under {@code CI=true}, where it fails: CI installs them.
 */
public final class Mosquitto {

    private Mosquitto() {}

    /** Skips (or under CI fails) the calling test when mosquitto clients are missing. */
    public static void require() {
        final boolean installed = onPath("mosquitto_pub") && onPath("mosquitto_sub");
        if (!installed && "true".equals(System.getenv("CI"))) {
            Assertions.fail("mosquitto_pub/mosquitto_sub are not installed; .ci/run installs mosquitto-clients");
        }
        Assumptions.assumeTrue(
                installed, "mosquitto_pub/mosquitto_sub are not installed (apt-get install mosquitto-clients)");
    }

    private static boolean onPath(final String program) {
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Path.of(dir, program).toFile().canExecute()) {
                return true;
            }
        }
        return false;
    }

    /** The TLS arguments for a client certificate. */
    public static List<String> tls(final Credentials credentials) {
        return List.of(
                "--cafile",
                credentials.caFile().toString(),
                "--cert",
                credentials.certificateFile().toString(),
                "--key",
                credentials.keyFile().toString());
    }

    /** A finished command. */
    public record Result(int exitCode, String output) {}

    /** Runs a command to completion (at most {@code timeout}) and returns its exit code and merged output. */
    public static Result run(final List<String> command, final Duration timeout)
            throws IOException, InterruptedException {
        final Process process =
                new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            return new Result(-1, new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
        return new Result(
                process.exitValue(), new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    /** {@code mosquitto_pub} with the given arguments after {@code -h -p}. */
    public static Result pub(final int port, final List<String> arguments) throws IOException, InterruptedException {
        final List<String> command =
                new ArrayList<>(List.of("mosquitto_pub", "-h", "localhost", "-p", String.valueOf(port)));
        command.addAll(arguments);
        return run(command, Duration.ofSeconds(20));
    }

    /** A running {@code mosquitto_sub} whose output lines can be awaited. */
    public static final class Subscriber implements AutoCloseable {
        private final Process process;
        private final OutputLines lines;

        private Subscriber(final Process process) {
            this.process = process;
            this.lines = new OutputLines(process.getInputStream(), "mosquitto_sub-reader");
        }

        /** Starts {@code mosquitto_sub -h localhost -p port <arguments>} with debug output. */
        public static Subscriber start(final int port, final List<String> arguments) throws IOException {
            // mosquitto_sub block-buffers stdout on a pipe; stdbuf makes each line visible as printed.
            final List<String> command = new ArrayList<>();
            if (onPath("stdbuf")) {
                command.addAll(List.of("stdbuf", "-oL"));
            }
            command.addAll(List.of("mosquitto_sub", "-d", "-h", "localhost", "-p", String.valueOf(port)));
            command.addAll(arguments);
            return new Subscriber(
                    new ProcessBuilder(command).redirectErrorStream(true).start());
        }

        /** Waits for a line containing {@code text}; returns it, or null on timeout. */
        public String await(final String text, final Duration timeout) throws InterruptedException {
            return lines.await(text, timeout);
        }

        public boolean isAlive() {
            return process.isAlive();
        }

        /** Everything printed so far. */
        public String output() {
            return lines.output();
        }

        public boolean waitForExit(final Duration timeout) throws InterruptedException {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }

        @Override
        public void close() {
            process.destroy();
        }
    }
}
