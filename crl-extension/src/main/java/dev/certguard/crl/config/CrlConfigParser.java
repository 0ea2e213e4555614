package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.config.ConfigReader;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.crl.deny.DenyList;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * Reads {@code crl-extension/conf/config.xml}: relative paths resolve against the extension folder,
 * certificates are loaded and checked now, and every problem is reported. Stateless; thread-safe.
 */
public final class CrlConfigParser {

    public static final String FILE_NAME = "crl-extension/conf/config.xml";

    private CrlConfigParser() {}

    public static @NotNull CrlConfig parse(
            final @NotNull Path file, final @NotNull Path extensionHome, final @NotNull Map<String, String> environment)
            throws InvalidConfigException {
        final ConfigReader reader = ConfigReader.read(file, FILE_NAME, "crl-extension", environment);
        final Element root = reader.requireRoot();
        reader.rejectUnknown(
                root,
                "",
                "ca-certificates",
                "crl-sources",
                "discover-distribution-points",
                "refresh-interval-seconds",
                "http-timeout-seconds",
                "max-crl-bytes",
                "when-unavailable",
                "grace-period-seconds",
                "disconnect-revoked-clients",
                "watch-certificates",
                "warn-before-expiry-seconds",
                "deny-list",
                "purge-session-on-revocation",
                "ocsp");

        final List<X509Certificate> authorities = new ArrayList<>();
        final String caPath = reader.text(root, "", "ca-certificates");
        if (caPath == null || caPath.isEmpty()) {
            reader.problem("ca-certificates", "is required: the PEM bundle of the CAs whose CRLs are checked");
        } else {
            authorities.addAll(certificates(reader, "ca-certificates", extensionHome.resolve(caPath)));
            if (authorities.isEmpty() && Files.exists(extensionHome.resolve(caPath))) {
                reader.problem("ca-certificates", extensionHome.resolve(caPath) + " holds no certificate");
            }
        }

        final List<Path> files = new ArrayList<>();
        final Set<URI> urls = new LinkedHashSet<>();
        for (final String source : reader.texts(root, "", "crl-sources", "crl-source")) {
            final String lower = source.toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                try {
                    urls.add(new URI(source));
                } catch (final URISyntaxException e) {
                    reader.problem("crl-sources/crl-source", "'" + source + "' is not a valid URL: " + e.getMessage());
                }
            } else if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
                reader.problem(
                        "crl-sources/crl-source",
                        "'" + source + "' uses an unsupported scheme (http, https or a file path)");
            } else {
                files.add(extensionHome.resolve(source).normalize());
            }
        }
        final boolean discover = reader.bool(root, "", "discover-distribution-points", false);
        if (discover) {
            for (final X509Certificate authority : authorities) {
                urls.addAll(DistributionPoints.httpUris(authority));
            }
        }
        final OcspConfig ocsp = ocsp(reader, root);
        if (files.isEmpty() && urls.isEmpty() && !authorities.isEmpty() && !ocsp.enabled()) {
            reader.problem(
                    "crl-sources",
                    "no CRL source: list at least one <crl-source>, enable <ocsp>"
                            + (discover
                                    ? " (the CA certificates name no HTTP distribution point)"
                                    : " or enable <discover-distribution-points>"));
        }
        final long refresh = reader.number(root, "", "refresh-interval-seconds", 300, 1, 7 * 24 * 3600);
        final long timeout = reader.number(root, "", "http-timeout-seconds", 10, 1, 600);
        final long maxBytes = reader.number(root, "", "max-crl-bytes", 104_857_600L, 1024, Integer.MAX_VALUE - 8);
        final String when = reader.text(root, "", "when-unavailable");
        CrlConfig.WhenUnavailable whenUnavailable = CrlConfig.WhenUnavailable.REJECT;
        if ("allow".equals(when)) {
            whenUnavailable = CrlConfig.WhenUnavailable.ALLOW;
        } else if (when != null && !"reject".equals(when)) {
            reader.problem("when-unavailable", "must be reject or allow, was '" + when + "'");
        }
        final long grace = reader.number(root, "", "grace-period-seconds", 0, 0, 30L * 24 * 3600);
        final boolean disconnect = reader.bool(root, "", "disconnect-revoked-clients", true);
        final Map<String, X509Certificate> watched = new LinkedHashMap<>();
        for (final String path : reader.texts(root, "", "watch-certificates", "certificate")) {
            final List<X509Certificate> found =
                    certificates(reader, "watch-certificates/certificate", extensionHome.resolve(path));
            if (!found.isEmpty()) {
                watched.put(path, found.get(0));
            }
        }
        final long warn = reader.number(root, "", "warn-before-expiry-seconds", 43200, 0, 10L * 366 * 24 * 3600);
        final String denyPath = reader.text(root, "", "deny-list");
        Path denyFile = null;
        DenyList denyList = DenyList.EMPTY;
        if (denyPath != null && !denyPath.isEmpty()) {
            denyFile = extensionHome.resolve(denyPath).normalize();
            try {
                denyList = DenyList.read(denyFile, denyFile.toString());
            } catch (final InvalidConfigException e) {
                e.problems().forEach(problem -> reader.problem("deny-list", problem));
            }
        }
        final boolean purge = reader.bool(root, "", "purge-session-on-revocation", true);
        reader.finish();
        return new CrlConfig(
                authorities,
                files,
                new ArrayList<>(urls),
                Duration.ofSeconds(refresh),
                Duration.ofSeconds(timeout),
                maxBytes,
                whenUnavailable,
                Duration.ofSeconds(grace),
                disconnect,
                watched,
                Duration.ofSeconds(warn),
                denyFile,
                denyList,
                purge,
                ocsp);
    }

    private static OcspConfig ocsp(final ConfigReader reader, final Element root) {
        final Element block = reader.element(root, "", "ocsp");
        if (block == null) {
            return OcspConfig.DISABLED;
        }
        final String path = "ocsp";
        reader.rejectUnknown(
                block,
                path,
                "enabled",
                "responder-url",
                "timeout-seconds",
                "cache-seconds",
                "max-cached-responses",
                "refresh-before-expiry-seconds",
                "use-nonce",
                "when-unavailable");
        final boolean enabled = reader.bool(block, path, "enabled", false);
        URI responder = null;
        final String url = reader.text(block, path, "responder-url");
        if (url != null && !url.isEmpty()) {
            final String lower = url.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
                reader.problem(path + "/responder-url", "'" + url + "' must be an http:// or https:// URL");
            } else {
                try {
                    responder = new URI(url);
                } catch (final URISyntaxException e) {
                    reader.problem(path + "/responder-url", "'" + url + "' is not a valid URL: " + e.getMessage());
                }
            }
        }
        final long timeout = reader.number(block, path, "timeout-seconds", 5, 1, 60);
        final long cache = reader.number(block, path, "cache-seconds", 3600, 1, 7L * 24 * 3600);
        final long max = reader.number(block, path, "max-cached-responses", 1_000_000, 1, 100_000_000);
        final long refresh = reader.number(block, path, "refresh-before-expiry-seconds", 60, 0, 7L * 24 * 3600);
        final boolean nonce = reader.bool(block, path, "use-nonce", false);
        final String when = reader.text(block, path, "when-unavailable");
        CrlConfig.WhenUnavailable whenUnavailable = CrlConfig.WhenUnavailable.REJECT;
        if ("allow".equals(when)) {
            whenUnavailable = CrlConfig.WhenUnavailable.ALLOW;
        } else if (when != null && !"reject".equals(when)) {
            reader.problem(path + "/when-unavailable", "must be reject or allow, was '" + when + "'");
        }
        return new OcspConfig(
                enabled,
                responder,
                Duration.ofSeconds(timeout),
                Duration.ofSeconds(cache),
                max,
                Duration.ofSeconds(refresh),
                nonce,
                whenUnavailable);
    }

    private static List<X509Certificate> certificates(
            final ConfigReader reader, final String element, final Path path) {
        final List<X509Certificate> out = new ArrayList<>();
        if (!Files.isRegularFile(path)) {
            reader.problem(element, path + " does not exist or is not a file");
            return out;
        }
        try (InputStream in = Files.newInputStream(path)) {
            CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)
                    .forEach(certificate -> out.add((X509Certificate) certificate));
        } catch (final IOException | CertificateException e) {
            reader.problem(element, path + " is not a PEM or DER certificate bundle: " + e.getMessage());
        }
        return out;
    }
}
