package dev.certguard.pki;

import dev.certguard.text.UntrustedText;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bouncycastle.asn1.x509.CRLReason;

/**
 * {@code secure-broker.jar pki ...}: the dev PKI from the command line. Returns a process exit code:
 * 0 done, 1 failed, 2 usage error. Not thread-safe (one invocation).
 */
public final class PkiCli {

    static final String USAGE = String.join(
            "\n",
            "usage: java -jar secure-broker.jar pki <command> [options]",
            "  init    [--dir DIR] [--ca-name NAME] [--intermediate NAME] [--key-type TYPE] [--days N]",
            "          [--host NAME]... [--force]",
            "          create a CA, an empty CRL, and the broker keystore/truststore for the hosts",
            "          (default hosts: localhost 127.0.0.1 ::1); with --intermediate, a root (root.crt,",
            "          the clients' --cafile) that signs an issuing CA named NAME (ca.crt), a CRL for each",
            "  issue   TENANT:DEVICE_ID [--dir DIR] [--key-type TYPE] [--days N | --seconds N]",
            "          [--crl-url URL] [--force]",
            "          issue a device certificate and key (PEM) under DIR/devices/TENANT/",
            "  service NAME [--dir DIR] [--key-type TYPE] [--days N | --seconds N] [--crl-url URL] [--force]",
            "          issue a service (bridge) certificate and key under DIR/services/",
            "  sign    CSR_FILE [--dir DIR] [--out FILE] [--days N] [--service] [--crl-url URL] [--force]",
            "          sign a device's certificate signing request (its key stays with the device); the CN",
            "          must be TENANT:DEVICE_ID (a service name with --service); only the request's",
            "          subjectAltName is kept; FILE defaults to CSR_FILE with .crt for .csr",
            "  revoke  CERTIFICATE.crt | --serial HEX [--dir DIR] [--reason REASON]",
            "          revoke a certificate and rewrite the CRL of the CA that issued it",
            "          (REASON: unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation)",
            "  crl     [--dir DIR] [--next-update-hours N]",
            "          re-sign the CRL (both CRLs of a two-tier PKI) with a fresh thisUpdate",
            "TYPE is one of " + KeyType.names() + " (default p256).",
            "--crl-url puts a CRL Distribution Point (http or https) into the certificate.",
            "DIR defaults to ./dev-pki. Existing files are never overwritten without --force.");

    private static final Map<String, Integer> REASONS = Map.of(
            "unspecified", CRLReason.unspecified,
            "keycompromise", CRLReason.keyCompromise,
            "affiliationchanged", CRLReason.affiliationChanged,
            "superseded", CRLReason.superseded,
            "cessationofoperation", CRLReason.cessationOfOperation);

    private final PrintStream out;
    private final PrintStream err;

    public PkiCli(final PrintStream out, final PrintStream err) {
        this.out = out;
        this.err = err;
    }

    public int run(final List<String> args) {
        if (args.isEmpty() || args.get(0).equals("--help") || args.get(0).equals("help")) {
            out.println(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        final Options options;
        try {
            options = Options.parse(args.subList(1, args.size()));
        } catch (final IllegalArgumentException e) {
            err.println("pki: " + e.getMessage());
            err.println(USAGE);
            return 2;
        }
        final DevPki pki = new DevPki(options.dir);
        try {
            switch (args.get(0)) {
                case "init" -> {
                    options.noPositional();
                    pki.init(new DevPki.Init(
                            options.caName,
                            options.intermediate,
                            options.keyType,
                            options.validity(Duration.ofDays(3650)),
                            options.hosts.isEmpty() ? DevPki.LOCAL_HOSTS : options.hosts,
                            options.force));
                    if (pki.isTwoTier()) {
                        out.println("created root '" + UntrustedText.escape(options.caName) + "' "
                                + pki.rootCertificate() + " (CRL " + pki.rootCrlPem() + ") and issuing CA '"
                                + UntrustedText.escape(options.intermediate) + "' " + pki.caCertificate() + " (CRL "
                                + pki.crlPem() + "), "
                                + options.keyType.cliName() + ", broker keystore " + pki.brokerKeystore()
                                + " and truststore " + pki.truststore());
                    } else {
                        out.println("created CA " + pki.caCertificate() + " (" + options.keyType.cliName() + "), CRL "
                                + pki.crlPem() + ", broker keystore " + pki.brokerKeystore() + " and truststore "
                                + pki.truststore());
                    }
                }
                case "issue" ->
                    printIssued(pki.issueDevice(
                            options.positional("TENANT:DEVICE_ID"), options.issuance(Duration.ofDays(365))));
                case "service" ->
                    printIssued(pki.issueService(options.positional("NAME"), options.issuance(Duration.ofDays(365))));
                case "sign" -> {
                    final Path csr = Path.of(options.positional("CSR_FILE"));
                    final SigningRequest request = SigningRequest.read(csr, options.service);
                    final Path target = options.out != null ? options.out : defaultCertificateFile(csr);
                    printIssued(pki.sign(request, target, options.issuance(Duration.ofDays(365))));
                    out.println("identity    " + UntrustedText.escape(request.commonName())
                            + (options.service ? " (service)" : " (device)"));
                    if (request.subjectAltNames() != null) {
                        out.println("kept        the requested subjectAltName " + request.subjectAltNamesForDisplay());
                    }
                    if (!request.ignored().isEmpty()) {
                        out.println("ignored     the requested " + String.join(", ", request.ignored())
                                + " (key usage, clientAuth and CA:FALSE are set by the CA)");
                    }
                }
                case "revoke" -> {
                    final Integer reason = REASONS.get(options.reason.toLowerCase(Locale.ROOT));
                    if (reason == null) {
                        throw new IllegalArgumentException("unknown --reason '" + options.reason + "'");
                    }
                    final BigInteger serial;
                    if (options.serial != null) {
                        options.noPositional();
                        serial = pki.revoke(options.serial, reason);
                    } else {
                        serial = pki.revoke(Path.of(options.positional("CERTIFICATE.crt")), reason);
                    }
                    out.println("revoked serial " + serial.toString(16) + "; CRLs rewritten: "
                            + String.join(
                                    " ",
                                    pki.crlFiles().stream().map(Path::toString).toList()));
                }
                case "crl" -> {
                    options.noPositional();
                    pki.writeCrl(Duration.ofHours(options.nextUpdateHours));
                    out.println("CRLs rewritten: "
                            + String.join(
                                    " ",
                                    pki.crlFiles().stream().map(Path::toString).toList()));
                }
                default -> throw new IllegalArgumentException("unknown command '" + args.get(0) + "'");
            }
            return 0;
        } catch (final IllegalArgumentException e) {
            err.println("pki: " + e.getMessage());
            err.println(USAGE);
            return 2;
        } catch (final PkiException e) {
            err.println("pki: error: " + e.getMessage());
            return 1;
        } catch (final FileAlreadyExistsException e) {
            err.println("pki: error: " + e.getFile() + " " + e.getReason());
            return 1;
        } catch (final IOException e) {
            err.println("pki: error: " + UntrustedText.escape(e.toString()));
            return 1;
        } catch (final RuntimeException e) {
            err.println("pki: error: " + UntrustedText.escape(String.valueOf(e.getMessage())));
            return 1;
        }
    }

    private void printIssued(final DevPki.Issued issued) {
        out.println("certificate " + issued.certificate() + " (serial "
                + issued.x509().getSerialNumber().toString(16) + ", valid until "
                + issued.x509().getNotAfter().toInstant() + ")");
        if (issued.key() != null) {
            out.println("key         " + issued.key());
        }
    }

    /** {@code client.csr} gives {@code client.crt}, as the seed's flow names them. */
    private static Path defaultCertificateFile(final Path csr) {
        final String name = csr.getFileName().toString();
        final String base =
                name.toLowerCase(Locale.ROOT).endsWith(".csr") ? name.substring(0, name.length() - 4) : name;
        return csr.resolveSibling(base + ".crt");
    }

    private static final class Options {
        Path dir = Path.of("dev-pki");
        String caName = "certguard dev CA";
        String intermediate;
        KeyType keyType = KeyType.P256;
        Path out;
        boolean service;
        URI crlUrl;
        BigInteger serial;
        final List<String> hosts = new ArrayList<>();
        final List<String> positional = new ArrayList<>();
        Long days;
        Long seconds;
        boolean force;
        String reason = "unspecified";
        long nextUpdateHours = 24 * 7;

        static Options parse(final List<String> args) {
            final Options options = new Options();
            for (int i = 0; i < args.size(); i++) {
                final String arg = args.get(i);
                switch (arg) {
                    case "--dir" -> options.dir = Path.of(value(args, ++i, arg));
                    case "--ca-name" -> options.caName = value(args, ++i, arg);
                    case "--intermediate" -> options.intermediate = value(args, ++i, arg);
                    case "--key-type" -> options.keyType = KeyType.parse(value(args, ++i, arg));
                    case "--out" -> options.out = Path.of(value(args, ++i, arg));
                    case "--service" -> options.service = true;
                    case "--crl-url" -> options.crlUrl = crlUrl(value(args, ++i, arg));
                    case "--serial" -> options.serial = serial(value(args, ++i, arg));
                    case "--host" -> options.hosts.add(value(args, ++i, arg));
                    case "--days" -> options.days = bounded(value(args, ++i, arg), arg, MAX_DAYS);
                    case "--seconds" -> options.seconds = bounded(value(args, ++i, arg), arg, MAX_DAYS * 86_400);
                    case "--reason" -> options.reason = value(args, ++i, arg);
                    case "--next-update-hours" -> options.nextUpdateHours = positive(value(args, ++i, arg), arg);
                    case "--force" -> options.force = true;
                    default -> {
                        if (arg.startsWith("--")) {
                            throw new IllegalArgumentException("unknown option '" + arg + "'");
                        }
                        options.positional.add(arg);
                    }
                }
            }
            if (options.days != null && options.seconds != null) {
                throw new IllegalArgumentException("give --days or --seconds, not both");
            }
            return options;
        }

        DevPki.Issuance issuance(final Duration defaultValidity) {
            return new DevPki.Issuance(validity(defaultValidity), keyType, crlUrl, force);
        }

        private static URI crlUrl(final String text) {
            final URI uri;
            try {
                uri = new URI(text);
            } catch (final URISyntaxException e) {
                throw new IllegalArgumentException("--crl-url is not a URL: " + e.getReason());
            }
            final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException(
                        "--crl-url must be an http or https URL with a host, was '" + UntrustedText.escape(text) + "'");
            }
            return uri;
        }

        private static BigInteger serial(final String text) {
            final String hex = text.replace(":", "").toLowerCase(Locale.ROOT);
            if (!hex.matches("[0-9a-f]{1,64}")) {
                throw new IllegalArgumentException(
                        "--serial must be hexadecimal, was '" + UntrustedText.escape(text) + "'");
            }
            return new BigInteger(hex, 16);
        }

        Duration validity(final Duration defaultValidity) {
            if (seconds != null) {
                return Duration.ofSeconds(seconds);
            }
            return days != null ? Duration.ofDays(days) : defaultValidity;
        }

        String positional(final String what) {
            if (positional.size() != 1) {
                throw new IllegalArgumentException(
                        "expected exactly one " + what + ", got " + positional.size() + " arguments");
            }
            return positional.get(0);
        }

        void noPositional() {
            if (!positional.isEmpty()) {
                throw new IllegalArgumentException("unexpected argument '" + positional.get(0) + "'");
            }
        }

        private static String value(final List<String> args, final int index, final String option) {
            if (index >= args.size()) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args.get(index);
        }

        /** A hundred years: longer validity only overflows dates. */
        private static final long MAX_DAYS = 36_500;

        private static long bounded(final String text, final String option, final long max) {
            final long value = positive(text, option);
            if (value > max) {
                throw new IllegalArgumentException(option + " must be <= " + max + ", was " + text);
            }
            return value;
        }

        private static long positive(final String text, final String option) {
            try {
                final long value = Long.parseLong(text);
                if (value <= 0) {
                    throw new IllegalArgumentException(option + " must be > 0, was " + text);
                }
                return value;
            } catch (final NumberFormatException e) {
                throw new IllegalArgumentException(option + " must be a whole number, was '" + text + "'");
            }
        }
    }
}
