package dev.certguard.disconnect.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.config.ConfigElement;
import dev.certguard.config.ConfigElement.Unit;
import dev.certguard.config.ConfigReader;
import dev.certguard.config.ConfigSchema;
import dev.certguard.config.InvalidConfigException;
import dev.certguard.identity.DeviceIdentity;
import dev.certguard.identity.IdentityCharacters;
import dev.certguard.identity.InvalidIdentityException;
import dev.certguard.text.UntrustedText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Map;
import org.w3c.dom.Element;

/**
 * Reads {@code disconnect-extension/conf/config.xml}, reporting every problem. Stateless; thread-safe.
 */
public final class DisconnectConfigParser {

    public static final String FILE_NAME = "disconnect-extension/conf/config.xml";
    /** Ten years: anything longer is a typo, not a policy. */
    private static final long MAX_LIFETIME_SECONDS = 10L * 366 * 24 * 3600;

    static final ConfigElement LIFETIME = ConfigElement.number(
            "max-connection-lifetime-seconds",
            1800,
            0,
            MAX_LIFETIME_SECONDS,
            Unit.SECONDS,
            "How long a connection may last before the broker ends it with DISCONNECT 0xA0, so that the"
                    + " certificate is checked again at the next handshake; 0 turns the lifetime off (30"
                    + " minutes, dojot's value, by default; at most ten years).");
    static final ConfigElement JITTER = ConfigElement.number(
            "jitter-percent",
            10,
            0,
            90,
            Unit.PERCENT,
            "Each connection's lifetime is shortened by a uniform random amount up to this share, so"
                    + " that a fleet that connected together does not reconnect together.");
    static final ConfigElement EXPIRY = ConfigElement.bool(
            "disconnect-on-certificate-expiry",
            true,
            "End a connection when the earliest notAfter of the chain it presented passes (the client"
                    + " certificate's or an intermediate CA's), even before the lifetime.");
    static final ConfigElement WILL = ConfigElement.bool(
            "send-will-message", false, "Publish the client's will message when the lifetime or expiry ends it.");
    static final ConfigElement EXEMPT = ConfigElement.list(
            "exempt-identities",
            "identity",
            "a device identity (tenant:device_id) or a service name, exactly as in the certificate CN",
            "Identities whose connections have no lifetime (certificate expiry still applies when" + " enabled).");

    /** Every element of the file; the reference documentation and config.xsd are generated from it. */
    public static final ConfigSchema SCHEMA = new ConfigSchema(
            FILE_NAME,
            ConfigElement.block(
                    "disconnect-extension",
                    "The maximum TLS connection lifetime of every client.",
                    LIFETIME,
                    JITTER,
                    EXPIRY,
                    WILL,
                    EXEMPT));

    private DisconnectConfigParser() {}

    public static @NotNull DisconnectConfig parse(
            final @NotNull Path file, final @NotNull Map<String, String> environment) throws InvalidConfigException {
        return parse(ConfigReader.read(file, SCHEMA, environment));
    }

    /** Reads the configuration from {@code reader}; tests use it to see which elements were read. */
    static @NotNull DisconnectConfig parse(final @NotNull ConfigReader reader) throws InvalidConfigException {
        final Element root = reader.requireRoot();
        final long lifetime = reader.number(root, LIFETIME);
        final long jitter = reader.number(root, JITTER);
        final boolean expiry = reader.bool(root, EXPIRY);
        final boolean will = reader.bool(root, WILL);
        final LinkedHashSet<String> exempt = new LinkedHashSet<>(reader.texts(root, EXEMPT));
        for (final String identity : exempt) {
            final String problem = identityProblem(identity);
            if (problem != null) {
                reader.itemProblem(EXEMPT, "'" + UntrustedText.escape(identity) + "' " + problem);
            }
        }
        reader.finish();
        return new DisconnectConfig(Duration.ofSeconds(lifetime), (int) jitter, expiry, will, exempt);
    }

    /** An exempt identity is a device identity or a plain service name, exactly as in a certificate CN. */
    private static String identityProblem(final String identity) {
        try {
            if (identity.indexOf(':') >= 0) {
                DeviceIdentity.parse(identity);
            } else {
                IdentityCharacters.checkLength(identity);
                IdentityCharacters.checkPart("service name", identity);
            }
            return null;
        } catch (final InvalidIdentityException e) {
            return "is not a valid identity: " + e.reason();
        }
    }
}
