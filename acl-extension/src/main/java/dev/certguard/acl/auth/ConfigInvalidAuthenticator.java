package dev.certguard.acl.auth;

import com.hivemq.extension.sdk.api.annotations.NotNull;
import com.hivemq.extension.sdk.api.auth.SimpleAuthenticator;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthInput;
import com.hivemq.extension.sdk.api.auth.parameter.SimpleAuthOutput;

/**
 * Refuses every CONNECT while the configuration is invalid, so a broken configuration never opens
 * the broker. Stateless; thread-safe.
 */
public final class ConfigInvalidAuthenticator implements SimpleAuthenticator {

    static final String REASON =
            "acl-extension configuration is invalid; the broker accepts no clients until it is fixed";

    private final @NotNull AclMetrics metrics;

    public ConfigInvalidAuthenticator(final @NotNull AclMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public void onConnect(final @NotNull SimpleAuthInput input, final @NotNull SimpleAuthOutput output) {
        metrics.rejected(RejectReason.CONFIG_INVALID);
        output.failAuthentication(RejectReason.CONFIG_INVALID.connackReasonCode(), REASON);
    }
}
