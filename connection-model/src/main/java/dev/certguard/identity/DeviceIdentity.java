package dev.certguard.identity;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import dev.certguard.text.UntrustedText;
import java.util.Objects;

/**
 * A device identity {@code tenant:device_id}, validated so that both parts are single literal topic
 * levels. Immutable; thread-safe.
 */
public final class DeviceIdentity {

    /** The suffix of the topic a device publishes to. */
    public static final String ATTRS = "/attrs";
    /** The suffix of the topic a device subscribes to. */
    public static final String CONFIG = "/config";

    private final @NotNull String tenant;
    private final @NotNull String deviceId;
    private final @NotNull String value;

    private DeviceIdentity(final @NotNull String tenant, final @NotNull String deviceId) {
        this.tenant = tenant;
        this.deviceId = deviceId;
        this.value = tenant + ':' + deviceId;
    }

    /**
     * Parses {@code tenant:device_id}.
     *
     * @throws InvalidIdentityException when the value is not exactly one {@code :} between two valid
     *                                  parts, or is too long
     */
    public static @NotNull DeviceIdentity parse(final @NotNull String value) throws InvalidIdentityException {
        IdentityCharacters.checkLength(value);
        final int colon = value.indexOf(':');
        if (colon < 0) {
            throw new InvalidIdentityException(
                    "identity '" + UntrustedText.escape(value) + "' is not of the form tenant:device_id");
        }
        if (value.indexOf(':', colon + 1) >= 0) {
            throw new InvalidIdentityException("identity '" + UntrustedText.escape(value) + "' has more than one ':'");
        }
        final String tenant = value.substring(0, colon);
        final String deviceId = value.substring(colon + 1);
        IdentityCharacters.checkPart("tenant", tenant);
        IdentityCharacters.checkPart("device id", deviceId);
        return new DeviceIdentity(tenant, deviceId);
    }

    public @NotNull String tenant() {
        return tenant;
    }

    public @NotNull String deviceId() {
        return deviceId;
    }

    /** The only topic this device may publish to. */
    public @NotNull String attrsTopic() {
        return value + ATTRS;
    }

    /** The only topic filter this device may subscribe to. */
    public @NotNull String configTopic() {
        return value + CONFIG;
    }

    @Override
    public @NotNull String toString() {
        return value;
    }

    @Override
    public boolean equals(final Object o) {
        return o instanceof DeviceIdentity && value.equals(((DeviceIdentity) o).value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(value);
    }
}
