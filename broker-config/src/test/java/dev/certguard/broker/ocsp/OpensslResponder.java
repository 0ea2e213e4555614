package dev.certguard.broker.ocsp;

import dev.certguard.broker.testing.OutputLines;
import dev.certguard.broker.testing.TestBroker;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Debian's {@code openssl ocsp} as an OCSP responder on 127.0.0.1, answering from a CA database
 * ({@code index.txt}) that tests rewrite to revoke certificates (openssl reloads it when it changes).
 */
public final class OpensslResponder implements AutoCloseable {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    final int port;
    private final Path index;
    private final List<String> lines = new ArrayList<>();
    private final Process process;
    private final OutputLines output;

    /** Answers for certificates of {@code ca} ({@code caFile}), signed with {@code signerFile}/{@code keyFile}. */
    OpensslResponder(final Path dir, final Path caFile, final Path signerFile, final Path keyFile) throws Exception {
        this(dir, caFile, signerFile, keyFile, TestBroker.freePort(), List.of());
    }

    /**
     * The same on {@code port}, with more {@code openssl ocsp} options, e.g. {@code -rmd sha512} or
     * {@code -rsigopt rsa_padding_mode:pss} for how the answers are signed.
     */
    public OpensslResponder(
            final Path dir,
            final Path caFile,
            final Path signerFile,
            final Path keyFile,
            final int port,
            final List<String> options)
            throws Exception {
        this.port = port;
        Files.createDirectories(dir);
        index = dir.resolve("index.txt");
        Files.writeString(index, "");
        Files.writeString(dir.resolve("index.txt.attr"), "unique_subject = no\n");
        final List<String> command = new ArrayList<>(List.of(
                "openssl",
                "ocsp",
                "-index",
                index.toString(),
                "-port",
                String.valueOf(port),
                "-CA",
                caFile.toString(),
                "-rsigner",
                signerFile.toString(),
                "-rkey",
                keyFile.toString(),
                "-ignore_err"));
        command.addAll(options);
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        output = new OutputLines(process.getInputStream(), "openssl-ocsp");
        // A probe connection would hang openssl's single-threaded responder: wait for its own word.
        if (output.await("waiting for OCSP client connections", Duration.ofSeconds(10)) == null) {
            throw new IllegalStateException("openssl ocsp did not start: " + output.output());
        }
    }

    public String url() {
        return "http://127.0.0.1:" + port + "/";
    }

    /** Marks {@code certificate} valid (good). */
    public synchronized void good(final X509Certificate certificate) throws IOException {
        final String serial = serial(certificate);
        lines.removeIf(line -> line.split("\t", -1)[3].equals(serial));
        lines.add(line("V", certificate, ""));
        write();
    }

    /** Marks {@code certificate} revoked from now on. */
    public synchronized void revoke(final X509Certificate certificate) throws IOException {
        final String serial = serial(certificate);
        lines.removeIf(line -> line.split("\t", -1)[3].equals(serial));
        lines.add(line("R", certificate, TIME.format(java.time.Instant.now().minusSeconds(5))));
        write();
    }

    private static String serial(final X509Certificate certificate) {
        String hex = certificate.getSerialNumber().toString(16).toUpperCase(Locale.ROOT);
        if (hex.length() % 2 == 1) {
            hex = "0" + hex;
        }
        return hex;
    }

    private static String line(final String status, final X509Certificate certificate, final String revoked) {
        return String.join(
                "\t",
                status,
                TIME.format(certificate.getNotAfter().toInstant()),
                revoked,
                serial(certificate),
                "unknown",
                certificate.getSubjectX500Principal().getName());
    }

    private int writes;

    private void write() throws IOException {
        final Path next = index.resolveSibling("index.txt.new");
        Files.writeString(next, String.join("\n", lines) + (lines.isEmpty() ? "" : "\n"));
        Files.move(next, index, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // openssl reloads the index when its modification time (in seconds) changes: make every write count.
        Files.setLastModifiedTime(
                index,
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().plusSeconds(++writes)));
        // openssl looks at the index before it waits for the next connection, so a change made while
        // it waits shows one request late: a throw-away request makes it look now.
        try {
            java.net.http.HttpClient.newBuilder()
                    .version(java.net.http.HttpClient.Version.HTTP_1_1)
                    .build()
                    .send(
                            java.net.http.HttpRequest.newBuilder(java.net.URI.create(url()))
                                    .timeout(Duration.ofSeconds(3))
                                    .GET()
                                    .build(),
                            java.net.http.HttpResponse.BodyHandlers.discarding());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final IOException ignored) {
            // the responder answered the poke with an error, or closed: either way it looked again
        }
    }

    public String output() {
        return output.output();
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
