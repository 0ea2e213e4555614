package dev.certguard.acl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.acl.fleet.FleetAuditConfig;
import dev.certguard.config.ConfigElement;
import dev.certguard.config.ConfigReader;
import dev.certguard.config.ConfigSchema;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.identity.CertificateIdentity;
import dev.certguard.identity.IdentityCharacters;
import dev.certguard.identity.InvalidIdentityException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.w3c.dom.Element;

/**
 * Reads {@code acl-extension/conf/config.xml} into an {@link AclConfig}, reporting every problem.
 * Stateless; thread-safe.
 */
public final class AclConfigParser {

    public static final String FILE_NAME = "acl-extension/conf/config.xml";

    static final ConfigElement REQUIRE_CLIENT_ID = ConfigElement.bool(
            "require-client-id-equals-identity",
            false,
            "The client id must be exactly the identity (one session per identity; a reconnect takes it"
                    + " over) instead of being bound to it as <identity>/<client id>.");
    static final ConfigElement USERNAME_LISTENERS = ConfigElement.list(
            "username-identity-listeners",
            "listener",
            "a listener <name> from HiveMQ's config.xml",
            "Testing only: on these listeners the MQTT username is the identity, unverified; a WARN"
                    + " names each at start.");
    static final ConfigElement SERVICE_IDENTITY = ConfigElement.text(
                    "identity",
                    "a plain service name: the identity character rules, no ':'",
                    "The service's exact name, matched against the certificate CN.")
            .required();
    static final ConfigElement SERVICE_PIN = ConfigElement.text(
            "certificate-sha256",
            "64 hex digits, ':' separators allowed, any case",
            "Pin: the service is recognised only with the certificate of this SHA-256 fingerprint.");
    static final ConfigElement SERVICE_PUBLISH = ConfigElement.repeated(
            "publish",
            "an MQTT topic filter (wildcards allowed)",
            "A topic filter the service may publish to; repeatable (a service needs at least one"
                    + " publish or subscribe).");
    static final ConfigElement SERVICE_SUBSCRIBE = ConfigElement.repeated(
            "subscribe",
            "an MQTT topic filter (wildcards allowed)",
            "A topic filter the service may subscribe to (a subscription must lie within it);" + " repeatable.");
    static final ConfigElement SERVICE_USERNAME = ConfigElement.bool(
            "allow-username-identity",
            false,
            "Whether this service may be claimed by username on a username-identity listener.");
    static final ConfigElement SERVICES = ConfigElement.items(
            "services",
            "service",
            "Named service identities (bridges) and the rights the operator gives them; each identity at most"
                    + " once.",
            SERVICE_IDENTITY,
            SERVICE_PIN,
            SERVICE_PUBLISH,
            SERVICE_SUBSCRIBE,
            SERVICE_USERNAME);

    static final ConfigElement AUDIT_ENABLED = ConfigElement.bool(
            "enabled",
            true,
            "Judge each CONNECT's certificate and each configuration, and report findings as metrics"
                    + " (dev.certguard.audit.), audit.finding events and the report at GET /certguard/audit.");
    static final ConfigElement AUDIT_ACTION = ConfigElement.choice(
            "action",
            "refuse",
            List.of("refuse", "warn"),
            "What a certificate with a weak key or signature gets: refuse (0x87, 'certificate key too weak') or"
                    + " warn (admitted; the finding is reported).");
    static final ConfigElement AUDIT_MINIMUM_RSA_BITS = ConfigElement.number(
            "minimum-rsa-bits",
            FleetAuditConfig.DEFAULT_MINIMUM_RSA_BITS,
            1024,
            16384,
            ConfigElement.Unit.NONE,
            "RSA keys shorter than this many bits are weak.");
    static final ConfigElement AUDIT_AGE_DAYS = ConfigElement.number(
            "age-days",
            FleetAuditConfig.DEFAULT_AGE_DAYS,
            1,
            36_500,
            ConfigElement.Unit.NONE,
            "Connected certificates whose validity began more than this many days ago are counted as old"
                    + " (dev.certguard.audit.certificates.old).");
    static final ConfigElement AUDIT_TAKEOVERS = ConfigElement.number(
            "takeovers",
            FleetAuditConfig.DEFAULT_TAKEOVERS,
            2,
            100,
            ConfigElement.Unit.NONE,
            "A certificate whose live connection is taken over by a CONNECT with it from a different address this"
                    + " many times within window-seconds is shared (certificate-shared).");
    static final ConfigElement AUDIT_WINDOW = ConfigElement.number(
            "window-seconds",
            FleetAuditConfig.DEFAULT_WINDOW_SECONDS,
            1,
            86_400,
            ConfigElement.Unit.SECONDS,
            "The window in which takeovers are counted.");
    static final ConfigElement AUDIT_ON_SHARED = ConfigElement.choice(
            "on-shared-certificate",
            "warn",
            List.of("warn", "refuse"),
            "What a shared certificate gets: warn (reported) or refuse (its CONNECTs refused 0x87 'certificate"
                    + " shared by several devices' and its live connections cut, for quarantine-seconds).");
    static final ConfigElement AUDIT_QUARANTINE = ConfigElement.number(
            "quarantine-seconds",
            FleetAuditConfig.DEFAULT_QUARANTINE_SECONDS,
            1,
            31_536_000,
            ConfigElement.Unit.SECONDS,
            "How long a shared certificate stays refused when on-shared-certificate is refuse.");
    static final ConfigElement FLEET_AUDIT = ConfigElement.block(
            "fleet-audit",
            "The live fleet audit (absent: on, with these defaults).",
            AUDIT_ENABLED,
            AUDIT_ACTION,
            AUDIT_MINIMUM_RSA_BITS,
            AUDIT_AGE_DAYS,
            AUDIT_TAKEOVERS,
            AUDIT_WINDOW,
            AUDIT_ON_SHARED,
            AUDIT_QUARANTINE);

    /** Every element of the file; the reference documentation and config.xsd are generated from it. */
    public static final ConfigSchema SCHEMA = new ConfigSchema(
            FILE_NAME,
            ConfigElement.block(
                    "acl-extension",
                    "Identities from client certificates and the topics each may use.",
                    REQUIRE_CLIENT_ID,
                    USERNAME_LISTENERS,
                    SERVICES,
                    FLEET_AUDIT));

    private AclConfigParser() {}

    public static @NotNull AclConfig parse(final @NotNull Path file, final @NotNull Map<String, String> environment)
            throws InvalidConfigException {
        return parse(ConfigReader.read(file, SCHEMA, environment));
    }

    /** Reads the configuration from {@code reader}; tests use it to see which elements were read. */
    static @NotNull AclConfig parse(final @NotNull ConfigReader reader) throws InvalidConfigException {
        final Element root = reader.requireRoot();
        final boolean requireClientId = reader.bool(root, REQUIRE_CLIENT_ID);
        final List<String> listeners = reader.texts(root, USERNAME_LISTENERS);
        final List<ServiceRule> services = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        for (final Element element : reader.items(root, SERVICES)) {
            final ServiceRule service = service(reader, element);
            if (service != null && !seen.add(service.identity())) {
                reader.problem(SERVICE_IDENTITY, "'" + service.identity() + "' is configured twice");
            }
            if (service != null) {
                services.add(service);
            }
        }
        final FleetAuditConfig fleetAudit = fleetAudit(reader, root);
        reader.finish();
        return new AclConfig(requireClientId, new LinkedHashSet<>(listeners), services, fleetAudit);
    }

    private static FleetAuditConfig fleetAudit(final ConfigReader reader, final Element root) {
        final Element block = reader.block(root, FLEET_AUDIT);
        if (block == null) {
            return FleetAuditConfig.DEFAULTS;
        }
        final boolean enabled = reader.bool(block, AUDIT_ENABLED);
        final FleetAuditConfig.Action action = "warn".equals(reader.choice(block, AUDIT_ACTION))
                ? FleetAuditConfig.Action.WARN
                : FleetAuditConfig.Action.REFUSE;
        final long bits = reader.number(block, AUDIT_MINIMUM_RSA_BITS);
        final long ageDays = reader.number(block, AUDIT_AGE_DAYS);
        final long takeovers = reader.number(block, AUDIT_TAKEOVERS);
        final long window = reader.number(block, AUDIT_WINDOW);
        final FleetAuditConfig.Action onShared = "refuse".equals(reader.choice(block, AUDIT_ON_SHARED))
                ? FleetAuditConfig.Action.REFUSE
                : FleetAuditConfig.Action.WARN;
        final long quarantine = reader.number(block, AUDIT_QUARANTINE);
        return new FleetAuditConfig(
                enabled, action, (int) bits, (int) ageDays, (int) takeovers, (int) window, onShared, (int) quarantine);
    }

    private static ServiceRule service(final ConfigReader reader, final Element element) {
        final String identity = reader.text(element, SERVICE_IDENTITY);
        if (identity == null || identity.isEmpty()) {
            return null;
        }
        try {
            IdentityCharacters.checkLength(identity);
            IdentityCharacters.checkPart("service identity", identity);
        } catch (final InvalidIdentityException e) {
            reader.problem(SERVICE_IDENTITY, "'" + identity + "' is not a plain service name: " + e.reason());
        }
        String pin = reader.text(element, SERVICE_PIN);
        if (pin != null) {
            try {
                pin = CertificateIdentity.normaliseFingerprint(pin);
            } catch (final IllegalArgumentException e) {
                reader.problem(SERVICE_PIN, "of '" + identity + "' " + e.getMessage());
                pin = null;
            }
        }
        final List<String> publish = filters(reader, element, SERVICE_PUBLISH);
        final List<String> subscribe = filters(reader, element, SERVICE_SUBSCRIBE);
        if (publish.isEmpty() && subscribe.isEmpty()) {
            reader.itemProblem(
                    SERVICES, "'" + identity + "' has neither <publish> nor <subscribe>, so it could do nothing");
        }
        final boolean allowUsername = reader.bool(element, SERVICE_USERNAME);
        return new ServiceRule(identity, pin, publish, subscribe, allowUsername);
    }

    private static List<String> filters(
            final ConfigReader reader, final Element element, final ConfigElement definition) {
        final List<String> filters = reader.repeated(element, definition);
        for (final String filter : filters) {
            final String problem = TopicFilters.problem(filter);
            if (problem != null) {
                reader.problem(definition, "'" + filter + "' " + problem);
            }
        }
        return filters;
    }
}
