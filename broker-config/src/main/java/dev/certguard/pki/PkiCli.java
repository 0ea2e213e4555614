package dev.certguard.pki;

import java.io.IOException;
import java.io.PrintStream;
import java.math.BigInteger;
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
            "  init    [--dir DIR] [--ca-name NAME] [--days N] [--host NAME]... [--force]",
            "          create a CA, an empty CRL, and the broker keystore/truststore for the hosts",
            "          (default hosts: localhost 127.0.0.1 ::1)",
            "  issue   TENANT:DEVICE_ID [--dir DIR] [--days N | --seconds N] [--force]",
            "          issue a device certificate and key (PEM) under DIR/devices/TENANT/",
            "  service NAME [--dir DIR] [--days N | --seconds N] [--force]",
            "          issue a service (bridge) certificate and key under DIR/services/",
            "  revoke  CERTIFICATE.crt [--dir DIR] [--reason REASON]",
            "          revoke a certificate and rewrite DIR/crl.pem and DIR/crl.der",
            "          (REASON: unspecified, keyCompromise, affiliationChanged, superseded, cessationOfOperation)",
            "  crl     [--dir DIR] [--next-update-hours N]",
            "          re-sign the CRL with a fresh thisUpdate",
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
                    pki.init(
                            options.caName,
                            options.validity(Duration.ofDays(3650)),
                            options.hosts.isEmpty() ? DevPki.LOCAL_HOSTS : options.hosts,
                            options.force);
                    out.println("created CA " + pki.caCertificate() + ", CRL " + pki.crlPem() + ", broker keystore "
                            + pki.brokerKeystore() + " and truststore " + pki.truststore());
                }
                case "issue" -> {
                    final DevPki.Issued issued = pki.issueDevice(
                            options.positional("TENANT:DEVICE_ID"),
                            options.validity(Duration.ofDays(365)),
                            options.force);
                    printIssued(issued);
                }
                case "service" -> {
                    final DevPki.Issued issued = pki.issueService(
                            options.positional("NAME"), options.validity(Duration.ofDays(365)), options.force);
                    printIssued(issued);
                }
                case "revoke" -> {
                    final Integer reason = REASONS.get(options.reason.toLowerCase(Locale.ROOT));
                    if (reason == null) {
                        throw new IllegalArgumentException("unknown --reason '" + options.reason + "'");
                    }
                    final BigInteger serial = pki.revoke(Path.of(options.positional("CERTIFICATE.crt")), reason);
                    out.println("revoked serial " + serial.toString(16) + "; CRL rewritten: " + pki.crlPem() + " "
                            + pki.crlDer());
                }
                case "crl" -> {
                    options.noPositional();
                    pki.writeCrl(Duration.ofHours(options.nextUpdateHours));
                    out.println("CRL rewritten: " + pki.crlPem() + " " + pki.crlDer());
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
            err.println("pki: error: " + e);
            return 1;
        }
    }

    private void printIssued(final DevPki.Issued issued) {
        out.println("certificate " + issued.certificate() + " (serial "
                + issued.x509().getSerialNumber().toString(16) + ", valid until "
                + issued.x509().getNotAfter().toInstant() + ")");
        out.println("key         " + issued.key());
    }

    private static final class Options {
        Path dir = Path.of("dev-pki");
        String caName = "certguard dev CA";
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
                    case "--host" -> options.hosts.add(value(args, ++i, arg));
                    case "--days" -> options.days = positive(value(args, ++i, arg), arg);
                    case "--seconds" -> options.seconds = positive(value(args, ++i, arg), arg);
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
