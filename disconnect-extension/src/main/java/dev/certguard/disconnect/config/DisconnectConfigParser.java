package dev.certguard.disconnect.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.config.ConfigReader;
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

    private DisconnectConfigParser() {}

    public static @NotNull DisconnectConfig parse(
            final @NotNull Path file, final @NotNull Map<String, String> environment) throws InvalidConfigException {
        final ConfigReader reader = ConfigReader.read(file, FILE_NAME, "disconnect-extension", environment);
        final Element root = reader.requireRoot();
        reader.rejectUnknown(
                root,
                "",
                "max-connection-lifetime-seconds",
                "jitter-percent",
                "disconnect-on-certificate-expiry",
                "send-will-message",
                "exempt-identities");
        final long lifetime = reader.number(root, "", "max-connection-lifetime-seconds", 1800, 0, MAX_LIFETIME_SECONDS);
        final long jitter = reader.number(root, "", "jitter-percent", 10, 0, 90);
        final boolean expiry = reader.bool(root, "", "disconnect-on-certificate-expiry", true);
        final boolean will = reader.bool(root, "", "send-will-message", false);
        final LinkedHashSet<String> exempt =
                new LinkedHashSet<>(reader.texts(root, "", "exempt-identities", "identity"));
        for (final String identity : exempt) {
            final String problem = identityProblem(identity);
            if (problem != null) {
                reader.problem("exempt-identities/identity", "'" + UntrustedText.escape(identity) + "' " + problem);
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
