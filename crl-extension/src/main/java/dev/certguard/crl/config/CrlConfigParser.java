package dev.certguard.crl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.config.ConfigElement;
import dev.certguard.config.ConfigElement.Unit;
import dev.certguard.config.ConfigReader;
import dev.certguard.config.ConfigSchema;
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

    private static final String REJECT = "reject";
    private static final String ALLOW = "allow";
    private static final long WEEK = 7L * 24 * 3600;

    static final ConfigElement CA_CERTIFICATES = ConfigElement.text(
                    "ca-certificates",
                    "a file path, relative to the extension folder; PEM or DER certificates",
                    "The CAs whose CRLs are used: the root and every intermediate that issues client"
                            + " certificates.")
            .required();
    static final ConfigElement CRL_SOURCES = ConfigElement.list(
            "crl-sources",
            "crl-source",
            "a file path (relative to the extension folder) or an http:// or https:// URL",
            "Where CRLs are read from, each verified against ca-certificates; at least one source is"
                    + " needed unless discover-distribution-points, client-distribution-points or ocsp provides"
                    + " status.");
    static final ConfigElement DISCOVER = ConfigElement.bool(
            "discover-distribution-points",
            false,
            "Also fetch the HTTP(S) CRL distribution points named in the CA certificates.");
    static final ConfigElement CDP_ENABLED = ConfigElement.bool(
            "enabled",
            false,
            "Fetch the HTTP(S) CRL distribution points named in client certificates (and the Freshest CRL"
                    + " of loaded CRLs) when a CONNECT needs one that is not loaded.");
    static final ConfigElement CDP_PREFIX = ConfigElement.repeated(
            "allowed-url-prefix",
            "an http:// or https:// URL with a host and a path ending in '/'",
            "Only URLs under one of these are ever fetched (same scheme, host and port, path starting"
                    + " with it); at least one when enabled.");
    static final ConfigElement CDP_MAX = ConfigElement.number(
            "max-sources",
            10_000,
            1,
            1_000_000,
            Unit.NONE,
            "Discovered CRL URLs kept at once; at the limit an idle one is dropped, else the CONNECT is"
                    + " unavailable.");
    static final ConfigElement CDP_IDLE = ConfigElement.number(
            "idle-seconds",
            604_800,
            60,
            366L * 24 * 3600,
            Unit.SECONDS,
            "A discovered URL that no connected or connecting certificate named for this long is dropped.");
    static final ConfigElement CLIENT_DPS = ConfigElement.block(
            "client-distribution-points",
            "CRL distribution points read from client certificates at CONNECT (absent: off).",
            CDP_ENABLED,
            CDP_PREFIX,
            CDP_MAX,
            CDP_IDLE);
    static final ConfigElement REFRESH = ConfigElement.number(
            "refresh-interval-seconds", 300, 1, WEEK, Unit.SECONDS, "How often every CRL source is read again.");
    static final ConfigElement HTTP_TIMEOUT = ConfigElement.number(
            "http-timeout-seconds", 10, 1, 600, Unit.SECONDS, "Connect and total time allowed for one download.");
    static final ConfigElement MAX_CRL_BYTES = ConfigElement.number(
            "max-crl-bytes",
            104_857_600L,
            1024,
            Integer.MAX_VALUE - 8,
            Unit.BYTES,
            "A larger CRL is refused, whether read from a file or downloaded.");
    static final ConfigElement WHEN_UNAVAILABLE = ConfigElement.choice(
            "when-unavailable",
            REJECT,
            List.of(REJECT, ALLOW),
            "What a CONNECT gets when its issuer has no usable CRL: reject (CONNACK 0x88) or allow"
                    + " (admitted and counted).");
    static final ConfigElement GRACE = ConfigElement.number(
            "grace-period-seconds",
            0,
            0,
            30L * 24 * 3600,
            Unit.SECONDS,
            "How long past its nextUpdate a CRL stays usable.");
    static final ConfigElement DISCONNECT_REVOKED = ConfigElement.bool(
            "disconnect-revoked-clients",
            true,
            "Cut connected clients whose certificate, or a CA on its path, a CRL revokes (OCSP, the deny"
                    + " list and a removed issuer cut regardless).");
    static final ConfigElement WATCH = ConfigElement.list(
            "watch-certificates",
            "certificate",
            "a certificate file path, relative to the extension folder",
            "Certificates (e.g. the broker's own) watched for expiry and revocation, with gauges and" + " warnings.");
    static final ConfigElement WARN_BEFORE_EXPIRY = ConfigElement.number(
            "warn-before-expiry-seconds",
            43200,
            0,
            10L * 366 * 24 * 3600,
            Unit.SECONDS,
            "How long before a watched certificate expires its warning starts.");
    static final ConfigElement DENY_LIST = ConfigElement.text(
            "deny-list",
            "a file path, relative to the extension folder; the file must exist",
            "The operator's deny list (sha256:<fingerprint> or identity:<identity> per line), watched"
                    + " and applied to new and connected clients within seconds.");
    static final ConfigElement PURGE = ConfigElement.bool(
            "purge-session-on-revocation",
            true,
            "Remove the session of a client cut for revocation (CRL or OCSP) or by the deny list.");
    static final ConfigElement OCSP_ENABLED =
            ConfigElement.bool("enabled", false, "Ask OCSP about the client certificate and every intermediate.");
    static final ConfigElement OCSP_RESPONDER = ConfigElement.text(
            "responder-url",
            "empty, or an http:// or https:// URL",
            "One responder for every certificate; empty: each certificate's own OCSP URL (AIA).");
    static final ConfigElement OCSP_TIMEOUT =
            ConfigElement.number("timeout-seconds", 5, 1, 60, Unit.SECONDS, "Time allowed for one OCSP request.");
    static final ConfigElement OCSP_CACHE = ConfigElement.number(
            "cache-seconds",
            3600,
            1,
            WEEK,
            Unit.SECONDS,
            "Longest use of an answer (shorter when the answer's nextUpdate is sooner).");
    static final ConfigElement OCSP_MAX_CACHED = ConfigElement.number(
            "max-cached-responses", 1_000_000, 1, 100_000_000, Unit.NONE, "How many answers the cache keeps.");
    static final ConfigElement OCSP_REFRESH = ConfigElement.number(
            "refresh-before-expiry-seconds",
            60,
            0,
            WEEK,
            Unit.SECONDS,
            "Connected clients' answers are fetched again this long before they expire.");
    static final ConfigElement OCSP_NONCE =
            ConfigElement.bool("use-nonce", false, "Send a nonce with each request and require it in the answer.");
    static final ConfigElement OCSP_WHEN_UNAVAILABLE = ConfigElement.choice(
            "when-unavailable",
            REJECT,
            List.of(REJECT, ALLOW),
            "What a CONNECT gets when no good OCSP status can be had: reject (CONNACK 0x88) or allow.");
    static final ConfigElement OCSP = ConfigElement.block(
            "ocsp",
            "Online status of client certificates (absent: no OCSP).",
            OCSP_ENABLED,
            OCSP_RESPONDER,
            OCSP_TIMEOUT,
            OCSP_CACHE,
            OCSP_MAX_CACHED,
            OCSP_REFRESH,
            OCSP_NONCE,
            OCSP_WHEN_UNAVAILABLE);

    /** Every element of the file; the reference documentation and config.xsd are generated from it. */
    public static final ConfigSchema SCHEMA = new ConfigSchema(
            FILE_NAME,
            ConfigElement.block(
                    "crl-extension",
                    "Revocation: verified CRLs, OCSP and the operator's deny list.",
                    CA_CERTIFICATES,
                    CRL_SOURCES,
                    DISCOVER,
                    CLIENT_DPS,
                    REFRESH,
                    HTTP_TIMEOUT,
                    MAX_CRL_BYTES,
                    WHEN_UNAVAILABLE,
                    GRACE,
                    DISCONNECT_REVOKED,
                    WATCH,
                    WARN_BEFORE_EXPIRY,
                    DENY_LIST,
                    PURGE,
                    OCSP));

    private CrlConfigParser() {}

    public static @NotNull CrlConfig parse(
            final @NotNull Path file, final @NotNull Path extensionHome, final @NotNull Map<String, String> environment)
            throws InvalidConfigException {
        return parse(ConfigReader.read(file, SCHEMA, environment), extensionHome);
    }

    /** Reads the configuration from {@code reader}; tests use it to see which elements were read. */
    static @NotNull CrlConfig parse(final @NotNull ConfigReader reader, final @NotNull Path extensionHome)
            throws InvalidConfigException {
        final Element root = reader.requireRoot();

        final List<X509Certificate> authorities = new ArrayList<>();
        final String caPath = reader.text(root, CA_CERTIFICATES);
        if (caPath != null && !caPath.isEmpty()) {
            authorities.addAll(certificates(reader, CA_CERTIFICATES, extensionHome.resolve(caPath)));
            if (authorities.isEmpty() && Files.exists(extensionHome.resolve(caPath))) {
                reader.problem(CA_CERTIFICATES, extensionHome.resolve(caPath) + " holds no certificate");
            }
        }

        final List<Path> files = new ArrayList<>();
        final Set<URI> urls = new LinkedHashSet<>();
        for (final String source : reader.texts(root, CRL_SOURCES)) {
            final String lower = source.toLowerCase(Locale.ROOT);
            if (lower.startsWith("http://") || lower.startsWith("https://")) {
                try {
                    urls.add(new URI(source));
                } catch (final URISyntaxException e) {
                    reader.itemProblem(CRL_SOURCES, "'" + source + "' is not a valid URL: " + e.getMessage());
                }
            } else if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
                reader.itemProblem(
                        CRL_SOURCES, "'" + source + "' uses an unsupported scheme (http, https or a file path)");
            } else {
                files.add(extensionHome.resolve(source).normalize());
            }
        }
        final boolean discover = reader.bool(root, DISCOVER);
        if (discover) {
            for (final X509Certificate authority : authorities) {
                urls.addAll(DistributionPoints.httpUris(authority));
            }
        }
        final ClientDistributionPoints clientPoints = clientDistributionPoints(reader, root);
        final OcspConfig ocsp = ocsp(reader, root);
        if (files.isEmpty() && urls.isEmpty() && !authorities.isEmpty() && !ocsp.enabled() && !clientPoints.enabled()) {
            reader.problem(
                    CRL_SOURCES,
                    "no CRL source: list at least one <crl-source>, enable <ocsp> or <client-distribution-points>"
                            + (discover
                                    ? " (the CA certificates name no HTTP distribution point)"
                                    : ", or enable <discover-distribution-points>"));
        }
        final long refresh = reader.number(root, REFRESH);
        final long timeout = reader.number(root, HTTP_TIMEOUT);
        final long maxBytes = reader.number(root, MAX_CRL_BYTES);
        final CrlConfig.WhenUnavailable whenUnavailable = whenUnavailable(reader.choice(root, WHEN_UNAVAILABLE));
        final long grace = reader.number(root, GRACE);
        final boolean disconnect = reader.bool(root, DISCONNECT_REVOKED);
        final Map<String, X509Certificate> watched = new LinkedHashMap<>();
        for (final String path : reader.texts(root, WATCH)) {
            final List<X509Certificate> found = certificates(reader, WATCH, extensionHome.resolve(path));
            if (!found.isEmpty()) {
                watched.put(path, found.get(0));
            }
        }
        final long warn = reader.number(root, WARN_BEFORE_EXPIRY);
        final String denyPath = reader.text(root, DENY_LIST);
        Path denyFile = null;
        DenyList denyList = DenyList.EMPTY;
        if (denyPath != null && !denyPath.isEmpty()) {
            denyFile = extensionHome.resolve(denyPath).normalize();
            try {
                denyList = DenyList.read(denyFile, denyFile.toString());
            } catch (final InvalidConfigException e) {
                e.problems().forEach(problem -> reader.problem(DENY_LIST, problem));
            }
        }
        final boolean purge = reader.bool(root, PURGE);
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
                ocsp,
                clientPoints);
    }

    private static ClientDistributionPoints clientDistributionPoints(final ConfigReader reader, final Element root) {
        final Element block = reader.block(root, CLIENT_DPS);
        if (block == null) {
            return ClientDistributionPoints.DISABLED;
        }
        final boolean enabled = reader.bool(block, CDP_ENABLED);
        final List<UrlPrefix> prefixes = new ArrayList<>();
        for (final String text : reader.repeated(block, CDP_PREFIX)) {
            try {
                final UrlPrefix prefix = UrlPrefix.parse(text);
                if (prefixes.contains(prefix)) {
                    reader.problem(CDP_PREFIX, "lists '" + text + "' twice");
                } else {
                    prefixes.add(prefix);
                }
            } catch (final IllegalArgumentException e) {
                reader.problem(CDP_PREFIX, e.getMessage());
            }
        }
        if (enabled && prefixes.isEmpty()) {
            reader.problem(
                    CDP_PREFIX,
                    "at least one is needed when <client-distribution-points> is enabled: certguard fetches only"
                            + " URLs under a prefix the operator allowed");
        }
        final long max = reader.number(block, CDP_MAX);
        final long idle = reader.number(block, CDP_IDLE);
        return enabled
                ? new ClientDistributionPoints(true, prefixes, (int) max, Duration.ofSeconds(idle))
                : ClientDistributionPoints.DISABLED;
    }

    private static CrlConfig.WhenUnavailable whenUnavailable(final String choice) {
        return ALLOW.equals(choice) ? CrlConfig.WhenUnavailable.ALLOW : CrlConfig.WhenUnavailable.REJECT;
    }

    private static OcspConfig ocsp(final ConfigReader reader, final Element root) {
        final Element block = reader.block(root, OCSP);
        if (block == null) {
            return OcspConfig.DISABLED;
        }
        final boolean enabled = reader.bool(block, OCSP_ENABLED);
        URI responder = null;
        final String url = reader.text(block, OCSP_RESPONDER);
        if (url != null && !url.isEmpty()) {
            final String lower = url.toLowerCase(Locale.ROOT);
            if (!lower.startsWith("http://") && !lower.startsWith("https://")) {
                reader.problem(OCSP_RESPONDER, "'" + url + "' must be an http:// or https:// URL");
            } else {
                try {
                    responder = new URI(url);
                } catch (final URISyntaxException e) {
                    reader.problem(OCSP_RESPONDER, "'" + url + "' is not a valid URL: " + e.getMessage());
                }
            }
        }
        final long timeout = reader.number(block, OCSP_TIMEOUT);
        final long cache = reader.number(block, OCSP_CACHE);
        final long max = reader.number(block, OCSP_MAX_CACHED);
        final long refresh = reader.number(block, OCSP_REFRESH);
        final boolean nonce = reader.bool(block, OCSP_NONCE);
        final CrlConfig.WhenUnavailable whenUnavailable = whenUnavailable(reader.choice(block, OCSP_WHEN_UNAVAILABLE));
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
            final ConfigReader reader, final ConfigElement element, final Path path) {
        final List<X509Certificate> out = new ArrayList<>();
        if (!Files.isRegularFile(path)) {
            certificateProblem(reader, element, path + " does not exist or is not a file");
            return out;
        }
        try (InputStream in = Files.newInputStream(path)) {
            CertificateFactory.getInstance("X.509")
                    .generateCertificates(in)
                    .forEach(certificate -> out.add((X509Certificate) certificate));
        } catch (final IOException | CertificateException e) {
            certificateProblem(reader, element, path + " is not a PEM or DER certificate bundle: " + e.getMessage());
        }
        return out;
    }

    /** A problem with a certificate file: on the item for a list of them, else on the element. */
    private static void certificateProblem(
            final ConfigReader reader, final ConfigElement element, final String message) {
        if (element.kind() == ConfigElement.Kind.LIST) {
            reader.itemProblem(element, message);
        } else {
            reader.problem(element, message);
        }
    }
}
