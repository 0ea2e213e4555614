package dev.certguard.acl.config;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.config.ConfigReader;
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

    private AclConfigParser() {}

    public static @NotNull AclConfig parse(final @NotNull Path file, final @NotNull Map<String, String> environment)
            throws InvalidConfigException {
        final ConfigReader reader = ConfigReader.read(file, FILE_NAME, "acl-extension", environment);
        final Element root = reader.requireRoot();
        reader.rejectUnknown(root, "", "require-client-id-equals-identity", "username-identity-listeners", "services");
        final boolean requireClientId = reader.bool(root, "", "require-client-id-equals-identity", false);
        final List<String> listeners = reader.texts(root, "", "username-identity-listeners", "listener");
        final List<ServiceRule> services = new ArrayList<>();
        final Set<String> seen = new HashSet<>();
        for (final Element element : reader.items(root, "", "services", "service")) {
            final ServiceRule service = service(reader, element);
            if (service != null && !seen.add(service.identity())) {
                reader.problem("services/service/identity", "'" + service.identity() + "' is configured twice");
            }
            if (service != null) {
                services.add(service);
            }
        }
        reader.finish();
        return new AclConfig(requireClientId, new LinkedHashSet<>(listeners), services);
    }

    private static ServiceRule service(final ConfigReader reader, final Element element) {
        final String path = "services/service";
        reader.rejectUnknown(
                element, path, "identity", "certificate-sha256", "publish", "subscribe", "allow-username-identity");
        final String identity = reader.text(element, path, "identity");
        if (identity == null || identity.isEmpty()) {
            reader.problem(path + "/identity", "is required");
            return null;
        }
        try {
            IdentityCharacters.checkLength(identity);
            IdentityCharacters.checkPart("service identity", identity);
        } catch (final InvalidIdentityException e) {
            reader.problem(path + "/identity", "'" + identity + "' is not a plain service name: " + e.reason());
        }
        String pin = reader.text(element, path, "certificate-sha256");
        if (pin != null) {
            try {
                pin = CertificateIdentity.normaliseFingerprint(pin);
            } catch (final IllegalArgumentException e) {
                reader.problem(path + "/certificate-sha256", "of '" + identity + "' " + e.getMessage());
                pin = null;
            }
        }
        final List<String> publish = filters(reader, element, path + "/publish", "publish");
        final List<String> subscribe = filters(reader, element, path + "/subscribe", "subscribe");
        if (publish.isEmpty() && subscribe.isEmpty()) {
            reader.problem(path, "'" + identity + "' has neither <publish> nor <subscribe>, so it could do nothing");
        }
        final boolean allowUsername = reader.bool(element, path, "allow-username-identity", false);
        return new ServiceRule(identity, pin, publish, subscribe, allowUsername);
    }

    private static List<String> filters(
            final ConfigReader reader, final Element element, final String path, final String name) {
        final List<String> filters = reader.repeated(element, path.substring(0, path.lastIndexOf('/')), name);
        for (final String filter : filters) {
            final String problem = TopicFilters.problem(filter);
            if (problem != null) {
                reader.problem(path, "'" + filter + "' " + problem);
            }
        }
        return filters;
    }
}
