package dev.certguard.broker.testing;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * OpenSSL's own CA database ({@code openssl ca}) over a CA key and certificate a test made: the
 * test says which certificates are revoked, OpenSSL writes the CRL. Not thread-safe.
 */
public final class OpensslCa {

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("yyMMddHHmmss'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final Path dir;
    private final Path key;
    private final Path certificate;

    private OpensslCa(final Path dir, final Path key, final Path certificate) {
        this.dir = dir;
        this.key = key;
        this.certificate = certificate;
    }

    /** An empty database in {@code dir} (CRL numbers from 1000, CRLs valid a day) for this CA. */
    public static OpensslCa create(final Path dir, final Path key, final Path certificate) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("index.txt"), "");
        Files.writeString(dir.resolve("crlnumber"), "1000\n");
        Files.writeString(
                dir.resolve("ca.cnf"),
                """
                [ ca ]
                default_ca = certguard
                [ certguard ]
                database = %s
                crlnumber = %s
                default_md = sha256
                default_crl_days = 1
                """
                        .formatted(dir.resolve("index.txt"), dir.resolve("crlnumber")));
        return new OpensslCa(dir, key, certificate);
    }

    /** Records {@code revoked} (revoked a minute ago) as the database's only entries. */
    public void revoked(final List<X509Certificate> revoked) throws IOException {
        final java.util.Map<X509Certificate, String> reasons = new java.util.LinkedHashMap<>();
        revoked.forEach(device -> reasons.put(device, null));
        revoked(reasons);
    }

    /**
     * Records each certificate as revoked a minute ago with its CRLReason as OpenSSL names it
     * ({@code keyCompromise}, {@code certificateHold}, {@code removeFromCRL}; {@code null}: none), as
     * the database's only entries.
     */
    public void revoked(final java.util.Map<X509Certificate, String> reasons) throws IOException {
        final StringBuilder index = new StringBuilder();
        for (final java.util.Map.Entry<X509Certificate, String> entry : reasons.entrySet()) {
            final X509Certificate device = entry.getKey();
            index.append("R\t")
                    .append(TIME.format(device.getNotAfter().toInstant()))
                    .append('\t')
                    .append(TIME.format(Instant.now().minusSeconds(60)))
                    .append(entry.getValue() == null ? "" : "," + entry.getValue())
                    .append('\t')
                    .append(evenHex(device.getSerialNumber()))
                    .append("\tunknown\t/")
                    .append(device.getSubjectX500Principal().getName())
                    .append('\n');
        }
        Files.writeString(dir.resolve("index.txt"), index.toString());
    }

    /**
     * Adds a CRL extensions section to the database's configuration, for {@code gencrl(List.of("-crlexts",
     * name))}; {@code lines} are OpenSSL's {@code x509v3_config} lines, e.g. an
     * {@code issuingDistributionPoint}.
     */
    public void crlExtensions(final String name, final String lines) throws IOException {
        Files.writeString(
                dir.resolve("ca.cnf"), "[ " + name + " ]\n" + lines + "\n", java.nio.file.StandardOpenOption.APPEND);
    }

    /** Runs {@code openssl ca -gencrl} with {@code options} (e.g. {@code -md sha512}); the PEM CRL it wrote. */
    public Path gencrl(final List<String> options) throws Exception {
        final Path crl = dir.resolve("crl.pem");
        final List<String> command = new ArrayList<>(List.of(
                "openssl",
                "ca",
                "-gencrl",
                "-config",
                dir.resolve("ca.cnf").toString(),
                "-keyfile",
                key.toString(),
                "-cert",
                certificate.toString(),
                "-out",
                crl.toString()));
        command.addAll(options);
        final Mosquitto.Result made = Mosquitto.run(command, Duration.ofSeconds(30));
        if (made.exitCode() != 0) {
            throw new IllegalStateException("openssl ca -gencrl failed: " + made.output());
        }
        return crl;
    }

    /** openssl's index.txt wants whole bytes: an even number of upper-case hex digits. */
    private static String evenHex(final BigInteger serial) {
        final String hex = serial.toString(16).toUpperCase(Locale.ROOT);
        return hex.length() % 2 == 0 ? hex : "0" + hex;
    }
}
