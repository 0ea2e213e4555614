package dev.certguard.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs {@code pki} commands against one directory and real OpenSSL, capturing what they print. */
final class PkiCliHarness {

    final Path pki;
    private ByteArrayOutputStream out = new ByteArrayOutputStream();
    private ByteArrayOutputStream err = new ByteArrayOutputStream();

    PkiCliHarness(final Path pki) {
        this.pki = pki;
    }

    /** Runs one command with {@code --dir} set; what it printed is in {@link #out()} and {@link #err()}. */
    int run(final String... args) {
        out = new ByteArrayOutputStream();
        err = new ByteArrayOutputStream();
        final List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--dir", pki.toString()));
        return new PkiCli(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8))
                .run(all);
    }

    String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    String file(final String name) {
        return pki.resolve(name).toString();
    }

    /** Runs a program (OpenSSL) in {@code workDir}; its output and then {@code exit=N}. */
    static String exec(final Path workDir, final String... command) throws Exception {
        final Process process = new ProcessBuilder(List.of(command))
                .directory(workDir.toFile())
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8) + "exit="
                + process.exitValue();
    }
}
